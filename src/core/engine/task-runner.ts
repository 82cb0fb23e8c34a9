/**
 * Runs one claimed task on its agent: gives the agent its context (emit, ask,
 * sleep, abort signal), then records the outcome. Every write is fenced by the
 * lease epoch of the claim, so a runner that lost its lease changes nothing.
 */
import { AgentError } from '../domain/errors.ts';
import { TaskStates, type TaskState } from '../domain/task-states.ts';
import { transition } from '../domain/transitions.ts';
import type { AgentAdapter, AgentEmission, AgentRunContext } from '../ports/agent-adapter.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { Timers } from '../ports/timers.ts';
import type { ToolGate } from '../ports/tool-gate.ts';
import type { AuditInput } from '../domain/audit.ts';
import type { OutputPreview } from '../domain/event.ts';
import type { JsonObject } from '../domain/json.ts';
import type { Task } from '../domain/task.ts';
import type { CommitQueue } from './commit-queue.ts';
import type { AbortReason, RunningTask } from './running-task.ts';
import { auditFor } from './audit-records.ts';
import { createOutputStream } from './output-stream.ts';
import { openSessionScope } from './session-scope.ts';
import type { SessionMemoryStore } from '../ports/session-memory-store.ts';
import { approvalRequester } from './approval-wait.ts';
import { waitOutsideSlot, type WaitingChange } from './task-wait.ts';

export interface TaskRunnerDeps {
  readonly queue: CommitQueue;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger: Logger;
  /** Called when the task stops or starts holding a concurrency slot. */
  readonly onSlotChange: (running: RunningTask, holdsSlot: boolean) => void;
  /** Sends a live output preview to this node's watchers. */
  readonly preview: (preview: OutputPreview) => void;
  /** Session memory and history for tasks in a session; without it agents get neither. */
  readonly sessionMemory?: SessionMemoryStore | undefined;
  /** Offers skills to the agent as tools; without it agents get no `tools`. */
  readonly tools?: ToolGate | undefined;
}

/** Agent events are recorded while the agent plans or works, not while the task waits. */
const EMITTABLE = [TaskStates.PLANNING, TaskStates.RUNNING] as const;

/** Executes `task` (already claimed, state running) to its end. Never throws. */
export async function runTask(
  deps: TaskRunnerDeps,
  task: Task,
  agent: AgentAdapter | undefined,
  running: RunningTask,
): Promise<void> {
  const { queue, clock, logger } = deps;
  const { signal } = running.controller;
  const fence = { taskId: task.id, epoch: running.epoch };

  if (agent === undefined) {
    await finishFailed(deps, task, running, `Agent "${task.agentType}" is not configured on this node`);
    return;
  }

  const record = (e: AgentEmission): Promise<void> => {
    const progress = e.progress === undefined ? undefined : Math.max(0, Math.min(100, Math.round(e.progress)));
    return queue
      .change({
        ...fence,
        inStates: EMITTABLE,
        ...(progress !== undefined ? { set: { progress } } : {}),
        event: { type: e.type, message: e.message ?? null, progress: progress ?? null, data: e.data ?? null },
      })
      .then((outcome) => {
        // Not applied while the lease is still ours means the task is waiting: the event is dropped, the run goes on.
        if (!outcome.applied && outcome.task?.leaseEpoch !== running.epoch) running.controller.abort('lease-lost' satisfies AbortReason);
      })
      .catch((err: unknown) => logger.error({ err, taskId: task.id }, 'could not record an agent event'));
  };

  // Progress is a level, not a log: while one progress write is in flight, newer values
  // replace each other and only the latest is written next. An agent reporting progress
  // in a tight loop thus costs one write per commit, not one per call.
  let progressInFlight = false;
  let latestProgress: AgentEmission | undefined;
  const flushProgress = (): void => {
    if (latestProgress === undefined || signal.aborted) return;
    const e = latestProgress;
    latestProgress = undefined;
    progressInFlight = true;
    void record(e).finally(() => {
      progressInFlight = false;
      flushProgress();
    });
  };

  const emit = (e: AgentEmission): void => {
    if (signal.aborted) return;
    if (e.type !== 'progress') {
      output.flush(); // streamed text before it stays before this event
      void record(e);
      return;
    }
    latestProgress = e;
    if (!progressInFlight) flushProgress();
  };

  const output = createOutputStream(
    { timers: deps.timers, preview: deps.preview, store: (message, data) => void record({ type: 'output', message, data }) },
    { taskId: task.id, attempt: task.attempt },
  );
  const stream = (text: string): void => {
    if (!signal.aborted) output.write(text);
  };

  const setPhase = async (phase: RunningTask['phase'], message?: string): Promise<void> => {
    signal.throwIfAborted();
    if (running.phase === phase) return;
    output.flush(); // what the agent streamed so far belongs to the phase it leaves
    const outcome = await queue.change({
      ...fence,
      transition: transition({ state: running.phase }, phase, phase === 'planning' ? 'plan' : 'start'),
      event: { type: 'state_change', message: message ?? (phase === 'planning' ? 'Planning' : 'Working') },
    });
    if (!outcome.applied) {
      running.controller.abort('lease-lost' satisfies AbortReason);
      signal.throwIfAborted();
    }
    running.phase = phase;
  };

  const ask = async (question: string): Promise<string> => {
    await setPhase('running');
    output.flush();
    const change: WaitingChange = { set: { waiting: { kind: 'question', question } }, event: { type: 'state_change', message: question, data: { question } } };
    return waitOutsideSlot<string>(deps, task.id, running, change, (resolve) => {
      running.answerWaiter = resolve;
      return () => {
        running.answerWaiter = undefined;
      };
    });
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = (): void => {
        deps.timers.clearTimeout(handle);
        reject(signal.reason);
      };
      const handle = deps.timers.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });

  let scope;
  try {
    scope = await openSessionScope(deps.sessionMemory, clock, task);
  } catch (err) {
    logger.warn({ err, taskId: task.id }, 'could not read the session of a task');
    await finishFailed(deps, task, running, 'Could not read the session memory and history');
    return;
  }

  const requestApproval = approvalRequester(deps, task, running);
  const ctx: AgentRunContext = {
    taskId: task.id,
    attempt: task.attempt,
    agentType: task.agentType,
    prompt: task.prompt,
    context: task.context,
    sessionId: task.sessionId,
    projectId: task.projectId,
    signal,
    memory: scope.memory,
    history: scope.history,
    ...(deps.tools !== undefined
      ? {
          tools: deps.tools.forTask({
            task,
            allowedSkills: agent.allowedSkills ?? [],
            signal,
            requestApproval: async (request) => {
              await setPhase('running');
              output.flush(); // the text before the call is stored before the task waits
              return requestApproval(request);
            },
          }),
        }
      : {}),
    emit,
    stream,
    setPhase,
    ask,
    sleep,
  };

  const started = clock.now();
  // `agent.executed`: one record per attempt that reached its agent, queued in the same
  // event-loop turn as the outcome so both land in one group commit.
  const executed = (status: AuditInput['status'], details: JsonObject): void => {
    const record: AuditInput = {
      ...auditFor(task, 'agent.executed', 'agent.execute', status, { task_id: task.id, attempt: task.attempt, duration_ms: clock.now() - started, ...details }),
      resourceType: 'agent',
      resourceId: task.agentType,
    };
    queue.audit(record).catch((err: unknown) => logger.error({ err, taskId: task.id }, 'could not record agent.executed'));
  };
  try {
    const outcome = await agent.run(ctx).finally(() => {
      if (!signal.aborted) output.flush();
    });
    executed(signal.aborted ? 'failure' : 'success', signal.aborted ? { outcome: 'aborted' } : { outcome: 'completed', ...usageOf(outcome.metadata) });
    if (signal.aborted) {
      await afterAbort(deps, task, running);
      return;
    }
    await setPhase('running');
    const metadata: JsonObject = { ...(outcome.metadata ?? {}), execution_time: (clock.now() - started) / 1000 };
    await queue.change({
      ...fence,
      transition: transition({ state: running.phase }, TaskStates.COMPLETED, 'complete'),
      set: { result: outcome.result, metadata, progress: 100, finishedAt: clock.now(), releaseLease: true },
      event: { type: 'state_change', message: 'Task completed' },
      audit: auditFor(task, 'task.completed', 'complete', 'success', { agent_type: task.agentType }),
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    executed('failure', { outcome: signal.aborted ? 'aborted' : 'failed', error: message.slice(0, 500) });
    if (signal.aborted) {
      await afterAbort(deps, task, running);
      return;
    }
    if (err instanceof AgentError && err.retryable && task.attempt < task.maxAttempts) {
      const backoff = err.retryAfterMs ?? agent.retry.backoffMs * 2 ** (task.attempt - 1);
      await queue.change({
        ...fence,
        transition: transition({ state: running.phase }, TaskStates.PENDING, 'retry'),
        set: { runAfter: clock.now() + backoff, error: message, releaseLease: true },
        event: {
          type: 'state_change',
          message: `Attempt ${task.attempt} failed (${message}); retrying`,
          data: { retry_in_ms: backoff },
        },
      });
      return;
    }
    if (!(err instanceof AgentError)) logger.warn({ taskId: task.id, err }, 'agent threw an unexpected error');
    await finishFailed(deps, task, running, message);
  }
}

/** Token usage reported by an agent, for the audit record (nothing else of the metadata). */
function usageOf(metadata: JsonObject | undefined): JsonObject {
  const usage = metadata?.['usage'];
  return usage !== undefined && usage !== null && typeof usage === 'object' && !Array.isArray(usage) ? { usage } : {};
}

/** The task's state as its runner knows it. */
function runnerView(running: RunningTask): { state: TaskState } {
  return { state: running.isWaiting ? TaskStates.WAITING : running.phase };
}

async function finishFailed(deps: TaskRunnerDeps, task: Task, running: RunningTask, reason: string): Promise<void> {
  await deps.queue.change({
    taskId: task.id,
    epoch: running.epoch,
    transition: transition(runnerView(running), TaskStates.FAILED, 'fail'),
    set: { error: reason, finishedAt: deps.clock.now(), releaseLease: true },
    event: { type: 'state_change', message: reason },
    audit: auditFor(task, 'task.failed', 'fail', 'failure', { agent_type: task.agentType, reason }),
  });
}

/** After an abort: a shutdown hands the task back (the attempt does not count); cancel and lease loss need no write. */
async function afterAbort(deps: TaskRunnerDeps, task: Task, running: RunningTask): Promise<void> {
  if ((running.controller.signal.reason as AbortReason) !== 'shutdown') return;
  await deps.queue.change({
    taskId: task.id,
    epoch: running.epoch,
    transition: transition(runnerView(running), TaskStates.PENDING, 'hand-back'),
    set: { attempt: task.attempt - 1, waiting: null, releaseLease: true, runAfter: deps.clock.now() },
    event: { type: 'state_change', message: 'Handed back: the node is shutting down' },
  });
}
