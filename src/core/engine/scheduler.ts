/**
 * The scheduler: claims pending tasks up to the concurrency limit, keeps their
 * leases alive, recovers orphaned tasks (expired leases; this node's own after a
 * restart), and stops claiming on shutdown.
 */
import { TaskStates } from '../domain/task-states.ts';
import { transition } from '../domain/transitions.ts';
import type { AgentRegistry } from '../ports/agent-registry.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Logger } from '../ports/logger.ts';
import type { TaskStore } from '../ports/task-store.ts';
import type { TimerHandle, Timers } from '../ports/timers.ts';
import type { ToolGate } from '../ports/tool-gate.ts';
import type { Task } from '../domain/task.ts';
import type { CommitQueue } from './commit-queue.ts';
import { runTask } from './task-runner.ts';
import type { AbortReason, RunningTask } from './running-task.ts';
import { auditFor } from './audit-records.ts';
import type { TaskCache } from './task-cache.ts';
import { approvalFromEvent } from './approval-wait.ts';
import type { SessionMemoryStore } from '../ports/session-memory-store.ts';
import type { RemoteChange, RemoteChanges } from './remote-changes.ts';

/** A claim takes a pending task to running (the store claims from the table's sources). */
const CLAIM = transition({ state: TaskStates.PENDING }, TaskStates.RUNNING, 'claim');

/** Resolved scheduler options; defaults are stated where the config is read. */
export interface SchedulerOptions {
  /** This node's id: the lease owner. Stable across restarts of the same node. */
  readonly nodeId: string;
  /** Tasks running at once (waiting tasks do not count). */
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly renewMs: number;
  /** How often to look for orphaned tasks and for work submitted by other nodes. */
  readonly pollMs: number;
}

export interface SchedulerDeps {
  readonly store: TaskStore;
  readonly queue: CommitQueue;
  readonly agents: AgentRegistry;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger: Logger;
  readonly cache: TaskCache;
  readonly tools?: ToolGate | undefined;
  readonly sessionMemory?: SessionMemoryStore | undefined;
  /** Other nodes' changes (shared databases): answers, approvals and cancels given through them. */
  readonly remote?: RemoteChanges | undefined;
}

/** Remembered cancels for tasks not (yet) running here: a claim may race a cancel. */
const RECENT_CANCELS_MAX = 10_000;

export class Scheduler {
  private readonly running = new Map<string, RunningTask>();
  private readonly runs = new Set<Promise<void>>();
  private readonly recentCancels = new Set<string>();
  private slotsUsed = 0;
  private claiming = false;
  /** The claim being committed, which stop() waits for: its tasks are this node's to hand back. */
  private claimInFlight: Promise<void> | undefined;
  private wakeAgain = false;
  private stopped = true;
  /** Draining: running tasks go on, no new ones are claimed (other nodes take them). */
  private draining = false;
  private pollTimer: TimerHandle | undefined;
  private renewTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private unsubscribe: (() => void) | undefined;
  private unwatchRemote: (() => void) | undefined;
  /** Which pending tasks the registry lets this node take (bound once: it is read on every claim). */
  private readonly claimable: ((agentType: string) => boolean) | undefined;

  constructor(
    private readonly deps: SchedulerDeps,
    private readonly options: SchedulerOptions,
  ) {
    const registry = deps.agents;
    this.claimable = registry.claimable === undefined ? undefined : (agentType) => registry.claimable?.(agentType) ?? true;
  }

  /** Recovers this node's tasks from before a restart, then starts claiming. */
  async start(): Promise<void> {
    this.stopped = false;
    this.unsubscribe = this.deps.bus.onSignal((s) => {
      const run = this.running.get(s.taskId);
      if (s.kind === 'cancel') {
        if (run) run.controller.abort('cancel' satisfies AbortReason);
        else this.rememberCancel(s.taskId);
      } else if (s.kind === 'approval') run?.approvalWaiter?.(s.approvalId, s.decision);
      else if (run?.answerWaiter) run.answerWaiter(s.answer);
    });
    this.unwatchRemote = this.deps.remote?.onChange((change) => void this.followRemote(change));
    await this.recover(this.options.nodeId);
    this.schedulePoll();
    this.scheduleRenew();
    this.wake();
  }

  /** Asks the scheduler to claim now (after a submit, or when a slot frees up). */
  wake(): void {
    if (this.stopped || this.draining) return;
    if (this.claiming) {
      this.wakeAgain = true;
      return;
    }
    const free = this.options.concurrency - this.slotsUsed;
    if (free <= 0) return;
    this.claiming = true;
    this.claimInFlight = this.claim(free).finally(() => {
      this.claiming = false;
      this.claimInFlight = undefined;
      if (this.wakeAgain) {
        this.wakeAgain = false;
        this.wake();
      }
    });
  }

  /** Stops claiming new tasks; running ones go on until stop(). */
  drain(): void {
    this.draining = true;
  }

  /** Number of tasks this node is running or waiting on. */
  get activeCount(): number {
    return this.running.size;
  }

  /**
   * Stops claiming; lets running tasks finish for up to `graceMs`, then aborts the
   * rest, which hands them back to `pending` for another node or the next start.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    for (const t of [this.pollTimer, this.renewTimer, this.retryTimer]) if (t) this.deps.timers.clearTimeout(t);
    this.unsubscribe?.();
    this.unwatchRemote?.();
    await this.claimInFlight;
    if (this.runs.size > 0) {
      let timer: TimerHandle | undefined;
      const graceOver = new Promise<void>((resolve) => {
        timer = this.deps.timers.setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.allSettled([...this.runs]), graceOver]);
      if (timer) this.deps.timers.clearTimeout(timer);
    }
    for (const run of this.running.values()) run.controller.abort('shutdown' satisfies AbortReason);
    await Promise.allSettled([...this.runs]);
    await this.deps.queue.idle();
  }

  private rememberCancel(taskId: string): void {
    if (this.recentCancels.size >= RECENT_CANCELS_MAX) {
      const oldest = this.recentCancels.values().next().value;
      if (oldest !== undefined) this.recentCancels.delete(oldest);
    }
    this.recentCancels.add(taskId);
  }

  private async claim(limit: number): Promise<void> {
    let claimed;
    const since = this.deps.cache.epoch;
    try {
      // Through the commit queue: the claim shares a group commit (and its flush) with the submits it may take.
      claimed = await this.deps.queue.claim({
        owner: this.options.nodeId,
        limit,
        now: this.deps.clock.now(),
        leaseMs: this.options.leaseMs,
        transition: CLAIM,
        ...(this.claimable !== undefined ? { accepts: this.claimable } : {}),
        describe: (task) => ({
          event: { type: 'state_change', message: `Started on ${this.options.nodeId} (attempt ${task.attempt})` },
          audit: auditFor(task, 'task.started', 'start', 'success', {
            agent_type: task.agentType,
            attempt: task.attempt,
            node: this.options.nodeId,
          }),
        }),
      });
    } catch (err) {
      this.deps.logger.error({ err }, 'claiming tasks failed; will retry on the next poll');
      return;
    }
    for (const { task, event } of claimed) {
      this.deps.cache.put(task, since);
      this.deps.bus.publish(event);
    }
    for (const { task } of claimed) this.startRun(task);
    if (claimed.length === limit) this.wakeAgain = true;
    else if (claimed.length === 0) await this.armRetryTimer();
  }

  private startRun(task: Task): void {
    const run: RunningTask = {
      taskId: task.id,
      epoch: task.leaseEpoch,
      controller: new AbortController(),
      answerWaiter: undefined,
      isWaiting: false,
      phase: 'running',
    };
    this.running.set(task.id, run);
    this.slotsUsed += 1;
    if (this.recentCancels.delete(task.id)) run.controller.abort('cancel' satisfies AbortReason);
    // Claimed while stopping: the run hands it straight back to pending, without spending an attempt.
    else if (this.stopped) run.controller.abort('shutdown' satisfies AbortReason);
    const p = runTask(
      {
        queue: this.deps.queue,
        clock: this.deps.clock,
        timers: this.deps.timers,
        logger: this.deps.logger,
        tools: this.deps.tools,
        sessionMemory: this.deps.sessionMemory,
        preview: (preview) => this.deps.bus.preview(preview),
        onSlotChange: (_r, holds) => {
          this.slotsUsed += holds ? 1 : -1;
          if (!holds) this.wake();
        },
      },
      task,
      this.deps.agents.get(task.agentType),
      run,
    )
      .catch((err: unknown) => this.deps.logger.error({ err, taskId: task.id }, 'task runner failed'))
      .finally(() => {
        this.running.delete(task.id);
        this.runs.delete(p);
        if (!run.isWaiting) this.slotsUsed -= 1;
        this.wake();
      });
    this.runs.add(p);
  }

  /** Sets a timer for the earliest delayed retry, so it runs on time without polling fast. */
  private async armRetryTimer(): Promise<void> {
    const next = await this.deps.store.nextRunAfter(this.deps.clock.now()).catch(() => undefined);
    if (next === undefined || this.stopped) return;
    if (this.retryTimer) this.deps.timers.clearTimeout(this.retryTimer);
    const delay = Math.max(0, next - this.deps.clock.now());
    if (delay >= this.options.pollMs) return;
    this.retryTimer = this.deps.timers.setTimeout(() => this.wake(), delay);
    this.retryTimer.unref?.();
  }

  private schedulePoll(): void {
    this.pollTimer = this.deps.timers.setTimeout(() => {
      if (this.stopped) return;
      void Promise.all([this.recover(undefined), this.resumeAnsweredElsewhere()]).finally(() => {
        this.wake();
        if (!this.stopped) this.schedulePoll();
      });
    }, this.options.pollMs);
    this.pollTimer.unref?.();
  }

  /**
   * Without a listening change feed, a question answered through another node
   * reaches this one only by looking: each poll checks the waiting runs.
   */
  private async resumeAnsweredElsewhere(): Promise<void> {
    if (this.deps.remote?.listening === true) return;
    for (const run of [...this.running.values()]) if (run.isWaiting) await this.followUp(run);
  }

  private async followRemote(change: RemoteChange): Promise<void> {
    const runs = change === 'all' ? [...this.running.values()] : change.flatMap((id) => this.running.get(id) ?? []);
    for (const run of runs) await this.followUp(run);
  }

  /**
   * Another node changed a task running here, which reaches this node only through
   * the database: it was cancelled, taken over after its lease lapsed, or its
   * question was answered or its approval decided (the runner takes those from the
   * answering event). On one node the in-process signal gets there first.
   */
  private async followUp(run: RunningTask): Promise<void> {
    try {
      const task = await this.deps.store.findTask(run.taskId);
      if (task === undefined || this.running.get(run.taskId) !== run) return;
      if (task.state === TaskStates.CANCELLED) return run.controller.abort('cancel' satisfies AbortReason);
      if (task.leaseEpoch !== run.epoch) return run.controller.abort('lease-lost' satisfies AbortReason);
      if (!run.isWaiting || task.state !== TaskStates.RUNNING) return;
      const recent = await this.deps.store.listEvents(run.taskId, Math.max(0, task.lastSeq - 20), 20);
      const answered = [...recent]
        .reverse()
        .find(
          (e) =>
            e.type === 'state_change' &&
            e.state === TaskStates.RUNNING &&
            (typeof e.data?.['answer'] === 'string' || approvalFromEvent(e) !== undefined),
        );
      const approval = answered === undefined ? undefined : approvalFromEvent(answered);
      if (approval !== undefined) run.approvalWaiter?.(approval.approvalId, approval.decision);
      const answer = answered?.data?.['answer'];
      if (typeof answer === 'string') run.answerWaiter?.(answer);
    } catch (err) {
      this.deps.logger.error({ err, taskId: run.taskId }, 'checking a task changed elsewhere failed');
    }
  }

  private scheduleRenew(): void {
    this.renewTimer = this.deps.timers.setTimeout(() => {
      if (this.stopped) return;
      void this.renew().finally(() => {
        if (!this.stopped) this.scheduleRenew();
      });
    }, this.options.renewMs);
    this.renewTimer.unref?.();
  }

  private async renew(): Promise<void> {
    const leases = [...this.running.values()].map((r) => ({ taskId: r.taskId, epoch: r.epoch }));
    if (leases.length === 0) return;
    const now = this.deps.clock.now();
    try {
      const lost = await this.deps.store.renewLeases(this.options.nodeId, leases, now + this.options.leaseMs);
      for (const id of lost) this.running.get(id)?.controller.abort('lease-lost' satisfies AbortReason);
    } catch (err) {
      this.deps.logger.error({ err }, 'renewing leases failed');
    }
  }

  /**
   * Orphans: retried while the agent's retry policy allows (the lost attempt counts),
   * else failed with the reason. Fenced by the orphan's epoch, so a live holder that
   * renews in between keeps its task.
   */
  private async recover(restartedOwner: string | undefined): Promise<void> {
    let orphans: readonly Task[];
    try {
      orphans = await this.deps.store.findOrphans(this.deps.clock.now(), restartedOwner, 500);
    } catch (err) {
      this.deps.logger.error({ err }, 'looking for orphaned tasks failed');
      return;
    }
    const mine = orphans.filter((t) => !this.running.has(t.id));
    await Promise.all(
      mine.map(async (task) => {
        const why = task.leaseOwner === this.options.nodeId ? 'the node restarted' : 'its worker was lost (lease expired)';
        const retry = task.attempt < task.maxAttempts;
        const outcome = await this.deps.queue.change({
          taskId: task.id,
          epoch: task.leaseEpoch,
          transition: transition(task, retry ? TaskStates.PENDING : TaskStates.FAILED, 'recover'),
          set: retry
            ? { releaseLease: true, waiting: null, runAfter: this.deps.clock.now() }
            : { releaseLease: true, finishedAt: this.deps.clock.now(), error: `Task failed: ${why} after ${task.attempt} attempt(s)` },
          event: {
            type: 'state_change',
            message: retry
              ? `Recovered: ${why}; retrying (attempt ${task.attempt + 1} of ${task.maxAttempts})`
              : `Task failed: ${why} after ${task.attempt} attempt(s)`,
          },
          ...(retry
            ? {}
            : {
                audit: auditFor(task, 'task.failed', 'fail', 'failure', {
                  agent_type: task.agentType,
                  reason: `${why}; no attempts left`,
                }),
              }),
        });
        if (outcome.applied) this.deps.logger.warn({ taskId: task.id, retry }, `recovered an orphaned task: ${why}`);
      }),
    );
  }
}
