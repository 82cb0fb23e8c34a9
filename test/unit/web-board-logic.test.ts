/** The board's drop logic of the web UI (web/src/board-logic.ts): where a dropped card lands, and what the filters keep. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { columnOf, matches, moveFor, positionAt, STEP, type Card } from '../../web/src/board-logic.ts';

const card = (id: number, status: string, position: number, extra: Partial<Card> = {}): Card => ({
  id,
  key: `DEMO-${id}`,
  status,
  position,
  title: `Card ${id}`,
  description: null,
  priority: 'medium',
  assigned_agent_type: null,
  ...extra,
});

const board = [card(1, 'todo', 1024), card(2, 'todo', 2048), card(3, 'todo', 3072), card(4, 'done', 1024)];
const order = (cards: readonly Card[], status: string) => columnOf(cards, status).map((c) => c.id);
const apply = (cards: readonly Card[], id: number, status: string, index: number): Card[] => {
  const move = moveFor(cards, id, status, index);
  assert.ok(move, 'a move');
  return cards.map((c) => (c.id === id ? { ...c, ...move } : c));
};

describe('board drop logic', () => {
  it('orders a column by position, then id', () => {
    assert.deepEqual(order([card(2, 'todo', 5), card(1, 'todo', 5), card(3, 'todo', 1)], 'todo'), [3, 1, 2]);
  });

  it('puts a card between its new neighbours, before the first, or after the last', () => {
    const col = columnOf(board, 'todo');
    assert.equal(positionAt(col, 0), 512);
    assert.equal(positionAt(col, 1), 1536);
    assert.equal(positionAt(col, 3), 3072 + STEP);
    assert.equal(positionAt([], 0), STEP);
  });

  it('moves within a column to the place of the card it was dropped on', () => {
    assert.deepEqual(order(apply(board, 1, 'todo', 2), 'todo'), [2, 3, 1], 'down to the end');
    assert.deepEqual(order(apply(board, 3, 'todo', 0), 'todo'), [3, 1, 2], 'up to the top');
    assert.deepEqual(order(apply(board, 3, 'todo', 1), 'todo'), [1, 3, 2], 'up by one');
    assert.equal(moveFor(board, 2, 'todo', 1), undefined, 'dropped where it is: no move');
  });

  it('moves into another column at the index asked for, clamped to its length', () => {
    const moved = apply(board, 2, 'done', 0);
    assert.deepEqual([order(moved, 'todo'), order(moved, 'done')], [[1, 3], [2, 4]]);
    assert.deepEqual(order(apply(board, 2, 'done', 99), 'done'), [4, 2]);
    assert.deepEqual(order(apply(board, 2, 'blocked', 0), 'blocked'), [2], 'into an empty column');
    assert.equal(moveFor(board, 99, 'done', 0), undefined, 'an unknown card');
  });

  it('filters by priority, agent and words of the key, title or description', () => {
    const c = card(7, 'todo', 1, { title: 'Fix login', description: 'The OAuth flow', priority: 'high', assigned_agent_type: 'codex' });
    assert.equal(matches(c, {}), true);
    assert.equal(matches(c, { priority: 'high', agent: 'codex', text: 'oauth' }), true);
    assert.equal(matches(c, { text: 'demo-7' }), true);
    assert.equal(matches(c, { priority: 'low' }), false);
    assert.equal(matches(c, { agent: 'claude-code' }), false);
    assert.equal(matches(c, { text: 'payments' }), false);
  });
});
