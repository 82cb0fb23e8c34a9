/**
 * Group commit: writes requested during one turn of the event loop go to the store
 * as one transaction. Callers get their promise settled only after the commit, and
 * committed events are published only after the commit — "stored before published".
 */
import type { Clock } from '../ports/clock.ts';
import type { EngineMetrics } from '../ports/engine-metrics.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { ChangeOutcome, ClaimedTask, ClaimRequest, CommitBatch, CreateOutcome, NewTaskRecord, TaskChange, TaskStore } from '../ports/task-store.ts';
import type { Timers } from '../ports/timers.ts';
import type { AuditInput } from '../domain/audit.ts';
import type { TaskEvent } from '../domain/event.ts';
import { SwitchboardError } from '../domain/errors.ts';
import { isLegal, isTerminal } from '../domain/transitions.ts';
import type { TaskCache } from './task-cache.ts';

interface Pending<I, O> {
  readonly item: I;
  resolve(value: O): void;
  reject(err: unknown): void;
}

/** Options of the commit queue. */
export interface CommitQueueOptions {
  /** Items per transaction at most (default: 500). */
  readonly maxBatch: number;
}

export class CommitQueue {
  private creates: Pending<NewTaskRecord, CreateOutcome>[] = [];
  private changes: Pending<TaskChange, ChangeOutcome>[] = [];
  private audits: Pending<AuditInput, void>[] = [];
  private claims: Pending<ClaimRequest, readonly ClaimedTask[]>[] = [];
  private scheduled = false;
  private flushing = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly deps: {
      readonly store: TaskStore;
      readonly timers: Timers;
      readonly clock: Clock;
      readonly bus: EventBus;
      readonly metrics: EngineMetrics;
      /** Sees every task this queue writes, so reads can skip the database. */
      readonly cache?: TaskCache;
    },
    private readonly options: CommitQueueOptions,
  ) {}

  create(item: NewTaskRecord): Promise<CreateOutcome> {
    return new Promise((resolve, reject) => {
      this.creates.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Queues a change; one whose state change is not in the transition table is refused here, never stored. */
  change(item: TaskChange): Promise<ChangeOutcome> {
    if (item.transition !== undefined && !isLegal(item.transition)) {
      const { from, to, cause } = item.transition;
      return Promise.reject(
        new SwitchboardError('TASK_INVALID_TRANSITION', `A task cannot go from ${from.join('|')} to ${to} (${cause})`, { from: from.join('|'), to }),
      );
    }
    return new Promise((resolve, reject) => {
      this.changes.push({ item, resolve, reject });
      this.schedule();
    });
  }

  audit(item: AuditInput): Promise<void> {
    return new Promise((resolve, reject) => {
      this.audits.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Claims pending tasks in the next group commit (one claim per commit): it
   * shares that transaction and its flush, and takes tasks created in it. The
   * claim's `now` becomes the commit's, so those tasks are due.
   */
  claim(item: ClaimRequest): Promise<readonly ClaimedTask[]> {
    return new Promise((resolve, reject) => {
      this.claims.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    if (!this.flushing && !this.scheduled && this.size() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private size(): number {
    return this.creates.length + this.changes.length + this.audits.length + this.claims.length;
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    this.deps.timers.defer(() => void this.flush());
  }

  private take<T>(list: T[], room: number): T[] {
    return list.splice(0, Math.max(0, room));
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.flushing = true;
    // Fair shares first, so a flood of submits cannot starve completions and cancels
    // (or the reverse); then whatever room is left.
    const max = Math.max(3, this.options.maxBatch);
    const share = Math.floor(max / 3);
    const changes = this.take(this.changes, share);
    const creates = this.take(this.creates, share);
    const audits = this.take(this.audits, share);
    changes.push(...this.take(this.changes, max - changes.length - creates.length - audits.length));
    creates.push(...this.take(this.creates, max - changes.length - creates.length - audits.length));
    audits.push(...this.take(this.audits, max - changes.length - creates.length - audits.length));
    const claim = this.claims.shift();
    try {
      await this.commit(creates, changes, audits, claim);
    } finally {
      this.flushing = false;
      if (this.size() > 0) this.schedule();
      else for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Commits a batch; if it fails, retries its items one by one so one bad item fails alone. */
  private async commit(
    creates: Pending<NewTaskRecord, CreateOutcome>[],
    changes: Pending<TaskChange, ChangeOutcome>[],
    audits: Pending<AuditInput, void>[],
    claim?: Pending<ClaimRequest, readonly ClaimedTask[]>,
  ): Promise<void> {
    const started = this.deps.clock.now();
    const batch: CommitBatch = {
      now: started,
      creates: creates.map((p) => p.item),
      changes: changes.map((p) => p.item),
      audits: audits.map((p) => p.item),
      ...(claim !== undefined ? { claim: { ...claim.item, now: Math.max(claim.item.now, started) } } : {}),
    };
    let result;
    const since = this.deps.cache?.epoch;
    try {
      result = await this.deps.store.commit(batch);
    } catch (err) {
      const total = creates.length + changes.length + audits.length + (claim !== undefined ? 1 : 0);
      if (total <= 1) {
        for (const p of [...creates, ...changes, ...audits]) p.reject(err);
        claim?.reject(err);
        return;
      }
      for (const p of creates) await this.commit([p], [], []);
      for (const p of changes) await this.commit([], [p], []);
      for (const p of audits) await this.commit([], [], [p]);
      if (claim !== undefined) await this.commit([], [], [], claim);
      return;
    }
    try {
      this.deps.metrics.commitFlushed(creates.length + changes.length + audits.length, this.deps.clock.now() - started);
    } catch {
      // metrics must never break a commit
    }
    const published: TaskEvent[] = [];
    const cache = this.deps.cache;
    result.creates.forEach((outcome, i) => {
      cache?.put(outcome.task, since);
      if (outcome.kind === 'created') published.push(outcome.event);
      creates[i]?.resolve(outcome);
    });
    result.changes.forEach((outcome, i) => {
      if (outcome.task !== undefined) cache?.put(outcome.task, since);
      if (outcome.applied) {
        published.push(outcome.event);
        const t = outcome.task;
        if (t.finishedAt !== null && outcome.event.type === 'state_change' && isTerminal(t.state)) {
          this.deps.metrics.taskFinished(t.agentType, t.state, t.startedAt === null ? null : t.finishedAt - t.startedAt);
        }
      }
      changes[i]?.resolve(outcome);
    });
    for (const p of audits) p.resolve();
    for (const e of published) this.deps.bus.publish(e);
    // The claimer puts its tasks in the cache and publishes their events (as for a claim of its own).
    claim?.resolve(result.claimed ?? []);
  }
}
