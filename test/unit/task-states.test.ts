import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isSwitchboardError } from '../../src/core/domain/errors.ts';
import { ALL_STATES, TaskStates, parseTaskState, type TaskState } from '../../src/core/domain/task-states.ts';
import { ACTIVE_STATES, LEASED_STATES, TRANSITIONS, assertTransition, canTransition, isLegal, isTerminal, sourcesFor, sourcesOf, transition, type TransitionCause } from '../../src/core/domain/transitions.ts';

/** The lifecycle of DESIGN.md, written out independently of the code under test. */
const EXPECTED: Readonly<Record<TaskState, readonly TaskState[]>> = {
  pending: ['running', 'cancelled'],
  planning: ['running', 'pending', 'failed', 'cancelled'],
  running: ['planning', 'waiting', 'pending', 'completed', 'failed', 'cancelled'],
  waiting: ['running', 'pending', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

const TERMINAL: readonly TaskState[] = ['completed', 'failed', 'cancelled'];

const PAIRS: readonly (readonly [TaskState, TaskState])[] = ALL_STATES.flatMap((from) =>
  ALL_STATES.map((to) => [from, to] as const),
);

describe('task states', () => {
  it('has exactly the seven states of the design', () => {
    assert.deepEqual([...ALL_STATES].sort(), Object.keys(EXPECTED).sort());
    assert.equal(ALL_STATES.length, 7);
    assert.deepEqual(Object.values(TaskStates).sort(), [...ALL_STATES].sort());
  });

  it('has a transition table that matches the design exactly', () => {
    for (const state of ALL_STATES) {
      assert.deepEqual([...TRANSITIONS[state]].sort(), [...EXPECTED[state]].sort(), `exits of ${state}`);
    }
  });

  it('covers all 49 (from, to) pairs in the table-driven checks', () => {
    assert.equal(PAIRS.length, 49);
  });
});

describe('canTransition and assertTransition over every (from, to) pair', () => {
  for (const [from, to] of PAIRS) {
    const legal = EXPECTED[from].includes(to);
    if (legal) {
      it(`allows ${from} -> ${to}`, () => {
        assert.equal(canTransition(from, to), true);
        assert.equal(TRANSITIONS[from].includes(to), true);
        assert.doesNotThrow(() => assertTransition(from, to));
      });
    } else {
      it(`refuses ${from} -> ${to} with TASK_INVALID_TRANSITION`, () => {
        assert.equal(canTransition(from, to), false);
        assert.equal(TRANSITIONS[from].includes(to), false);
        assert.throws(
          () => assertTransition(from, to),
          (err: unknown) =>
            isSwitchboardError(err, 'TASK_INVALID_TRANSITION') &&
            err.details?.['from'] === from &&
            err.details?.['to'] === to &&
            err.message.includes(from) &&
            err.message.includes(to),
        );
      });
    }
  }
});

describe('terminal and active states', () => {
  for (const state of ALL_STATES) {
    const terminal = TERMINAL.includes(state);
    it(`reports ${state} as ${terminal ? 'terminal' : 'not terminal'}`, () => {
      assert.equal(isTerminal(state), terminal);
      assert.equal(ACTIVE_STATES.includes(state), !terminal);
    });
  }

  it('gives terminal states no exit at all, not even to themselves', () => {
    for (const state of TERMINAL) {
      assert.deepEqual(TRANSITIONS[state], []);
      for (const to of ALL_STATES) assert.equal(canTransition(state, to), false, `${state} -> ${to}`);
    }
  });

  it('lets every non-terminal state be cancelled', () => {
    assert.ok(ACTIVE_STATES.length > 0);
    for (const state of ACTIVE_STATES) {
      assert.equal(canTransition(state, TaskStates.CANCELLED), true, `${state} -> cancelled`);
      assert.doesNotThrow(() => assertTransition(state, TaskStates.CANCELLED));
    }
  });

  it('lets every state a node works in fail, and a pending task only be claimed or cancelled', () => {
    for (const state of LEASED_STATES) assert.equal(canTransition(state, TaskStates.FAILED), true, `${state} -> failed`);
    assert.deepEqual([...TRANSITIONS.pending].sort(), ['cancelled', 'running']);
  });

  it('never lets a state transition to itself', () => {
    for (const state of ALL_STATES) assert.equal(canTransition(state, state), false, state);
  });

  it('reaches completed only from running', () => {
    assert.deepEqual([...sourcesOf(TaskStates.COMPLETED)], ['running']);
  });
});

describe('sourcesOf', () => {
  for (const to of ALL_STATES) {
    it(`lists exactly the states whose exits include ${to}`, () => {
      const expected = ALL_STATES.filter((from) => EXPECTED[from].includes(to));
      assert.deepEqual([...sourcesOf(to)].sort(), [...expected].sort());
    });
  }

  it('never names a terminal state as a source of any state', () => {
    for (const to of ALL_STATES) for (const s of sourcesOf(to)) assert.equal(isTerminal(s), false, `${s} -> ${to}`);
  });
});

describe('parseTaskState', () => {
  for (const state of ALL_STATES) {
    it(`parses "${state}"`, () => {
      assert.equal(parseTaskState(state), state);
    });
  }

  const bad = ['', 'PENDING', 'Running', ' pending', 'pending ', 'done', 'cancel', 'canceled', 'toString', 'constructor', '__proto__'];
  for (const value of bad) {
    it(`returns undefined for ${JSON.stringify(value)}`, () => {
      assert.equal(parseTaskState(value), undefined);
    });
  }
});

/** Which states each cause may leave, written out from the engine's behaviour. */
const CAUSES: Readonly<Record<TransitionCause, readonly (readonly [TaskState, TaskState])[]>> = {
  claim: [['pending', 'running']],
  plan: [['running', 'planning']],
  start: [['planning', 'running']],
  wait: [['running', 'waiting']],
  answer: [['waiting', 'running']],
  approve: [['waiting', 'running']],
  complete: [['running', 'completed']],
  fail: [['planning', 'failed'], ['running', 'failed'], ['waiting', 'failed']],
  retry: [['planning', 'pending'], ['running', 'pending']],
  'hand-back': [['planning', 'pending'], ['running', 'pending'], ['waiting', 'pending']],
  recover: [['planning', 'pending'], ['running', 'pending'], ['waiting', 'pending'], ['planning', 'failed'], ['running', 'failed'], ['waiting', 'failed']],
  cancel: [['pending', 'cancelled'], ['planning', 'cancelled'], ['running', 'cancelled'], ['waiting', 'cancelled']],
};

describe('transition(task, to, cause)', () => {
  const causes = Object.keys(CAUSES) as TransitionCause[];
  for (const cause of causes) {
    it(`builds exactly the moves of "${cause}" and refuses every other pair`, () => {
      for (const [from, to] of PAIRS) {
        const legal = CAUSES[cause].some(([f, t]) => f === from && t === to);
        if (legal) {
          const t = transition({ state: from }, to, cause);
          assert.equal(t.to, to);
          assert.equal(t.cause, cause);
          assert.ok(t.from.includes(from));
          assert.ok(t.from.every((s) => canTransition(s, to)), 'every source it allows is in the table');
          assert.equal(isLegal(t), true);
        } else {
          assert.throws(() => transition({ state: from }, to, cause), (err: unknown) => isSwitchboardError(err) && err.code === 'TASK_INVALID_TRANSITION', `${cause}: ${from} -> ${to}`);
        }
      }
    });
  }

  it('has no edge in the table that no cause makes (an unused edge is a state change nobody tests)', () => {
    const made = new Set(Object.values(CAUSES).flatMap((moves) => moves.map(([f, t]) => `${f}->${t}`)));
    const unused = PAIRS.filter(([f, t]) => canTransition(f, t) && !made.has(`${f}->${t}`)).map(([f, t]) => `${f}->${t}`);
    assert.deepEqual(unused, []);
  });

  it('lets the store apply a change only from the states the cause may leave', () => {
    assert.deepEqual(sourcesFor('claim', 'running'), ['pending']);
    assert.deepEqual([...sourcesFor('cancel', 'cancelled')].sort(), [...ACTIVE_STATES].sort());
    assert.deepEqual([...sourcesFor('recover', 'pending')].sort(), [...LEASED_STATES].sort());
    assert.deepEqual(sourcesFor('answer', 'running'), ['waiting']);
  });

  it('calls a forged change illegal', () => {
    const forged = { from: ['completed'], to: 'running', cause: 'answer' } as unknown as ReturnType<typeof transition>;
    assert.equal(isLegal(forged), false);
    assert.equal(isLegal({ from: [], to: 'running', cause: 'claim' } as unknown as ReturnType<typeof transition>), false);
    assert.equal(isLegal({ from: ['pending'], to: 'running', cause: 'nonsense' } as unknown as ReturnType<typeof transition>), false);
  });
});
