/**
 * Keeps a board task in step with its executions: each state change of the latest
 * execution's runtime task is recorded on the card (`agent_execution_status`) and
 * moves it (in progress while it works; in review when it completed and left changes,
 * done when it left none; blocked on failure) unless a person moved the card after the
 * execution started. It reads the runtime task's own event stream, so it sees changes
 * made on any node; after a restart it picks up every execution still unfinished.
 */
import { statusForExecution, type Execution } from '../../core/domain/board.ts';
import type { Caller } from '../../core/domain/caller.ts';
import { isPreview } from '../../core/domain/event.ts';
import { isTerminal } from '../../core/domain/transitions.ts';
import type { BoardStore } from '../../core/ports/board-store.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { TaskEngine } from '../../core/services/runtime.ts';
import type { BoardFeed } from './board-feed.ts';

export interface ExecutionFollowerDeps {
  readonly store: BoardStore;
  readonly engine: Pick<TaskEngine, 'stream'>;
  /** True when the board task's worktree holds changes against its base (committed or not); false without one. */
  readonly leftChanges: (boardTaskId: number) => Promise<boolean>;
  readonly feed: BoardFeed;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface ExecutionFollower {
  follow(execution: Execution): void;
  /** Follows every execution left unfinished (at start). */
  resume(): Promise<void>;
  stop(): void;
}

/** The engine reads streams for the board itself; this caller is never given to a permission check. */
const BOARD: Caller = { principal: { id: 'system:board', username: 'board', kind: 'service', roles: [], grants: [] }, via: 'system' };

export function createExecutionFollower(deps: ExecutionFollowerDeps): ExecutionFollower {
  const following = new Map<string, AbortController>();

  async function leftChanges(execution: Execution): Promise<boolean> {
    return deps.leftChanges(execution.boardTaskId).catch(() => false);
  }

  async function run(execution: Execution, signal: AbortSignal): Promise<void> {
    for await (const item of deps.engine.stream(BOARD, execution.executionUuid, { signal })) {
      if (isPreview(item) || item.type !== 'state_change') continue;
      const state = item.state;
      const latest = (await deps.store.listExecutions(execution.boardTaskId)).at(-1);
      if (latest?.id !== execution.id) return; // a newer execution drives the card now
      const status = statusForExecution(state, state === 'completed' && (await leftChanges(execution)));
      const updated = await deps.store.recordExecutionState(
        execution.boardTaskId,
        state,
        status === undefined ? undefined : { status, unlessMovedAfter: execution.startedAt },
        { kind: 'execution_state', actorId: null, details: { execution_id: execution.id, execution_uuid: execution.executionUuid, state } },
        deps.clock.now(),
      );
      if (updated === undefined) return;
      deps.feed.notify(updated.projectId);
      if (isTerminal(state)) return;
    }
  }

  return {
    follow(execution) {
      if (following.has(execution.executionUuid)) return;
      const controller = new AbortController();
      following.set(execution.executionUuid, controller);
      void run(execution, controller.signal)
        .catch((err: unknown) => deps.logger.error({ err, executionUuid: execution.executionUuid }, 'following a board execution failed'))
        .finally(() => following.delete(execution.executionUuid));
    },
    async resume() {
      for (const execution of await deps.store.unfinishedExecutions(10_000)) this.follow(execution);
    },
    stop() {
      for (const c of following.values()) c.abort();
      following.clear();
    },
  };
}
