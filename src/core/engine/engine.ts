/**
 * The engine: submit, query, cancel, answer and stream tasks; runs them through the
 * scheduler. Trusts its caller — authorization happens in the secure runtime around it.
 */
import { SwitchboardError } from '../domain/errors.ts';
import { TaskStates } from '../domain/task-states.ts';
import { isTerminal, transition } from '../domain/transitions.ts';
import { pendingApproval } from '../domain/waiting.ts';
import type { AgentRegistry } from '../ports/agent-registry.ts';
import type { AuditStore } from '../ports/audit-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { EngineMetrics } from '../ports/engine-metrics.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Ids } from '../ports/ids.ts';
import type { Logger } from '../ports/logger.ts';
import type { SkillCatalog } from '../ports/skill-catalog.ts';
import type { TaskChangeFeed } from '../ports/task-change-feed.ts';
import type { TaskStore } from '../ports/task-store.ts';
import type { Timers } from '../ports/timers.ts';
import type { ToolGate } from '../ports/tool-gate.ts';
import type { AuditSink } from '../ports/audit-sink.ts';
import type { ApprovalInput, StreamOptions, SubmitResult, TaskEngine } from '../services/runtime.ts';
import type { AgentInfo } from '../domain/agent.ts';
import type { AuditInput } from '../domain/audit.ts';
import type { Caller } from '../domain/caller.ts';
import type { StreamItem, TaskEvent } from '../domain/event.ts';
import type { SubmitInput, Task } from '../domain/task.ts';
import { CommitQueue } from './commit-queue.ts';
import { Scheduler, type SchedulerOptions } from './scheduler.ts';
import { followTaskEvents } from './event-stream.ts';
import { auditFor } from './audit-records.ts';
import { TaskCache } from './task-cache.ts';
import { pageThroughAudit } from './audit-pages.ts';
import type { SessionMemoryStore } from '../ports/session-memory-store.ts';
import { approvalEventData } from './approval-wait.ts';
import { RemoteChanges } from './remote-changes.ts';
import type { PreviewRelay } from '../ports/preview-relay.ts';
import { createRemotePreviews } from './remote-previews.ts';

export interface EngineDeps {
  /** Tasks, events and the audit chain (read side: queries and exports). */
  readonly store: TaskStore & AuditStore;
  readonly bus: EventBus;
  readonly agents: AgentRegistry;
  readonly skills: SkillCatalog;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly ids: Ids;
  readonly logger: Logger;
  readonly metrics: EngineMetrics;
  /**
   * Builds what offers skills to LLM agents as tools (authorized, audited), given the
   * engine's audit sink: its records join the same chain and batches. Absent: agents get no tools.
   */
  readonly tools?: (record: AuditSink) => ToolGate;
  /** Session memory and history for tasks in a session; absent: agents get neither. */
  readonly sessionMemory?: SessionMemoryStore;
  /** Other nodes' task changes (shared databases); with it, the task cache runs only while the feed is up. */
  readonly taskChanges?: TaskChangeFeed;
  /** Live previews to and from other nodes (shared databases): watchers anywhere see a task's streamed text. */
  readonly previewRelay?: PreviewRelay;
}

/** Resolved engine options. */
export interface EngineOptions extends SchedulerOptions {
  /** Items per group commit at most. */
  readonly maxBatch: number;
  /** How long running tasks may finish on shutdown before they are handed back. */
  readonly shutdownGraceMs: number;
  /** Tasks kept in memory for reads (0: none); on a shared database only with `taskChanges`. */
  readonly taskCacheSize: number;
}

/** A TaskEngine with a lifecycle. */
export interface Engine extends TaskEngine {
  start(): Promise<void>;
  /** Stops claiming (a rolling restart's first step): submits are still taken, for other nodes to run. */
  drain(): void;
  stop(): Promise<void>;
  /** Tasks running or waiting on this node. */
  readonly activeCount: number;
}

export function createEngine(deps: EngineDeps, options: EngineOptions): Engine {
  const { store, agents, clock, ids } = deps;
  // Previews made here go to this node's watchers at once and, batched, to other nodes' watchers of the task.
  const remotePreviews = deps.previewRelay === undefined ? undefined : createRemotePreviews({ bus: deps.bus, relay: deps.previewRelay, timers: deps.timers, clock });
  const bus: EventBus = remotePreviews?.bus ?? deps.bus;
  const cache = new TaskCache(options.taskCacheSize, { startEnabled: deps.taskChanges === undefined });
  const unwatch = deps.taskChanges?.subscribe((notice) => {
    if (notice.kind === 'changed') cache.evict(notice.taskIds);
    else cache.reset(notice.kind === 'up');
  });
  const remote = new RemoteChanges(deps.taskChanges);
  const queue = new CommitQueue({ ...deps, bus, cache }, { maxBatch: options.maxBatch });
  const tools = deps.tools?.((input) => queue.audit(input));
  const scheduler = new Scheduler({ ...deps, bus, tools, queue, cache, remote }, options);
  let accepting = false;

  async function findTask(taskId: string): Promise<Task | undefined> {
    const cached = cache.get(taskId);
    if (cached !== undefined) return cached;
    const since = cache.epoch;
    const task = await store.findTask(taskId);
    if (task !== undefined) cache.put(task, since);
    return task;
  }

  async function getTask(taskId: string): Promise<Task> {
    const task = await findTask(taskId);
    if (task === undefined) throw new SwitchboardError('TASK_NOT_FOUND', undefined, { task_id: taskId });
    return task;
  }

  function sameRequest(task: Task, input: SubmitInput): boolean {
    return (
      task.agentType === input.agentType &&
      task.prompt === input.prompt &&
      JSON.stringify(task.context) === JSON.stringify(input.context ?? {})
    );
  }

  const engine: Engine = {
    get activeCount() {
      return scheduler.activeCount;
    },

    async start() {
      await scheduler.start();
      accepting = true;
    },

    drain() {
      scheduler.drain();
    },

    async stop() {
      accepting = false;
      await scheduler.stop(options.shutdownGraceMs);
      await queue.idle();
      unwatch?.();
      remotePreviews?.close();
      remote.close();
    },

    async submit(caller: Caller, input: SubmitInput): Promise<SubmitResult> {
      if (!accepting) throw new SwitchboardError('RUNTIME_SHUTTING_DOWN');
      const agent = agents.get(input.agentType);
      if (agent === undefined) {
        throw new SwitchboardError('AGENT_NOT_FOUND', `Unknown agent "${input.agentType}"`, {
          agent_type: input.agentType,
          known: agents.list().map((a) => a.info.agentType),
        });
      }
      const now = clock.now();
      const task: Task = {
        id: ids.uuid(),
        executionUuid: ids.uuid(),
        agentType: input.agentType,
        prompt: input.prompt,
        context: input.context ?? {},
        sessionId: input.sessionId ?? caller.sessionId ?? null,
        projectId: input.projectId ?? null,
        boardTaskId: input.boardTaskId ?? null,
        ownerId: caller.principal.id,
        idempotencyKey: input.idempotencyKey ?? null,
        state: TaskStates.PENDING,
        attempt: 0,
        maxAttempts: Math.max(1, agent.retry.maxAttempts),
        result: null,
        error: null,
        metadata: {},
        progress: null,
        waiting: null,
        lastSeq: 1,
        leaseOwner: null,
        leaseExpiresAt: null,
        leaseEpoch: 0,
        runAfter: now,
        createdAt: now,
        updatedAt: now,
        startedAt: null,
        finishedAt: null,
      };
      const created = queue.create({
        task,
        audit: auditFor(task, 'task.submitted', 'submit', 'success', { agent_type: task.agentType }, caller),
      });
      // Before the commit: the scheduler's claim joins the same group commit and can take this task in it.
      scheduler.wake();
      const outcome = await created;
      if (outcome.kind === 'existing') {
        if (!sameRequest(outcome.task, input)) {
          throw new SwitchboardError('IDEMPOTENCY_CONFLICT', undefined, { task_id: outcome.task.id });
        }
        return { task: outcome.task, created: false };
      }
      deps.metrics.taskSubmitted(task.agentType);
      return { task: outcome.task, created: true };
    },

    getTask: (_caller, taskId) => getTask(taskId),
    findTask,
    listTasks: (_caller, filter) => store.listTasks(filter),

    async cancel(caller: Caller, taskId: string): Promise<Task> {
      const task = await getTask(taskId);
      if (isTerminal(task.state)) {
        throw new SwitchboardError('TASK_TERMINAL', `The task is already ${task.state}`, { state: task.state });
      }
      const outcome = await queue.change({
        taskId,
        transition: transition(task, TaskStates.CANCELLED, 'cancel'),
        set: { finishedAt: clock.now(), waiting: null, releaseLease: true },
        event: { type: 'state_change', message: `Cancelled by ${caller.principal.username}` },
        audit: auditFor(task, 'task.cancelled', 'cancel', 'success', { previous_state: task.state }, caller),
      });
      if (!outcome.applied) {
        const state = outcome.task?.state ?? task.state;
        throw new SwitchboardError('TASK_TERMINAL', `The task is already ${state}`, { state });
      }
      bus.signal({ kind: 'cancel', taskId });
      return outcome.task;
    },

    async answer(caller: Caller, taskId: string, answer: string): Promise<Task> {
      const current = await getTask(taskId);
      // A free-text answer must never pass for an approval of a tool call.
      if (pendingApproval(current.waiting) !== undefined) throw new SwitchboardError('TASK_AWAITING_APPROVAL', undefined, { task_id: taskId });
      if (current.state !== TaskStates.WAITING) throw new SwitchboardError('TASK_NOT_WAITING', undefined, { state: current.state });
      const outcome = await queue.change({
        taskId,
        transition: transition(current, TaskStates.RUNNING, 'answer'),
        set: { waiting: null },
        event: { type: 'state_change', message: `Answered by ${caller.principal.username}`, data: { answer } },
      });
      if (!outcome.applied) {
        throw new SwitchboardError('TASK_NOT_WAITING', undefined, { state: outcome.task?.state ?? null });
      }
      bus.signal({ kind: 'answer', taskId, answer });
      return outcome.task;
    },

    async approve(caller: Caller, taskId: string, input: ApprovalInput): Promise<Task> {
      const task = await getTask(taskId);
      const pending = task.state === TaskStates.WAITING ? pendingApproval(task.waiting) : undefined;
      if (pending === undefined || (input.approvalId !== undefined && input.approvalId !== pending.approvalId)) {
        throw new SwitchboardError('APPROVAL_NOT_PENDING', undefined, { task_id: taskId, state: task.state });
      }
      const decision = { approved: input.approved, by: caller.principal.username, reason: input.reason ?? null };
      const outcome = await queue.change({
        taskId,
        transition: transition(task, TaskStates.RUNNING, 'approve'),
        set: { waiting: null },
        event: {
          type: 'state_change',
          message: `${input.approved ? 'Approved' : 'Denied'} by ${decision.by}${decision.reason !== null ? `: ${decision.reason}` : ''}`,
          data: approvalEventData(pending.approvalId, pending.skillId, decision),
        },
        audit: {
          eventType: input.approved ? 'permission.granted' : 'permission.denied',
          userId: caller.principal.id,
          sessionId: caller.sessionId ?? null,
          resourceType: 'skill',
          resourceId: pending.skillId,
          action: 'skill.approve',
          status: input.approved ? 'success' : 'denied',
          details: {
            task_id: taskId,
            approval_id: pending.approvalId,
            decision: input.approved ? 'approve' : 'deny',
            ...(decision.reason !== null ? { reason: decision.reason } : {}),
          },
        },
      });
      if (!outcome.applied) {
        throw new SwitchboardError('APPROVAL_NOT_PENDING', undefined, { task_id: taskId, state: outcome.task?.state ?? null });
      }
      bus.signal({ kind: 'approval', taskId, approvalId: pending.approvalId, decision });
      return outcome.task;
    },

    async listEvents(_caller, taskId, afterSeq, limit): Promise<readonly TaskEvent[]> {
      await getTask(taskId);
      return store.listEvents(taskId, afterSeq, limit);
    },

    stream(_caller: Caller, taskId: string, opts?: StreamOptions): AsyncIterable<StreamItem> {
      return followTaskEvents({ store, bus, remote }, taskId, opts?.afterSeq ?? 0, opts?.signal);
    },

    async listAgents(): Promise<readonly AgentInfo[]> {
      return Promise.all(
        agents.list().map(async (a) => ({ ...a.info, available: await a.isAvailable().catch(() => false) })),
      );
    },

    listSkills: () => deps.skills.list(),

    recordAudit: (input: AuditInput) => queue.audit(input),

    audit: {
      listAudit: (afterSeq, limit) => store.listAudit(afterSeq, limit),
      auditHead: () => store.auditHead(),
      queryAudit: (filter) => store.queryAudit(filter),
    },
    queryAudit: (_caller, filter) => store.queryAudit(filter),
    userActivity: (_caller, userId, filter) => store.queryAudit({ ...filter, userId }),
    sessionActivity: (_caller, sessionId, filter) => store.queryAudit({ ...filter, sessionId }),
    exportAudit: (_caller, filter) => pageThroughAudit(store, filter),
  };
  return engine;
}
