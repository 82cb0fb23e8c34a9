/**
 * Long polling with the offset in the database: a node polls only while it holds
 * the polling lease, hands each update to the claims (update-claims.ts: handled once
 * across nodes and restarts, again after a crash cut it off), and stores the next
 * offset after handling, so a restart asks Telegram for exactly what is left. Bot
 * API failures (outage, 5xx, 429 beyond what the retry transformer absorbs) back off.
 */
import { GrammyError, type Api } from 'grammy';
import type { Logger } from '../../core/ports/logger.ts';
import type { TelegramStore } from '../../core/ports/telegram-store.ts';
import type { UpdateClaims } from './update-claims.ts';

export interface PollerOptions {
  readonly nodeId: string;
  readonly timeoutS: number;
  /** How long the polling lease lasts without renewal (renewed before every getUpdates); see pollLeaseMs. */
  readonly leaseMs: number;
}

/** The polling lease: long enough to outlast one getUpdates wait. */
export const pollLeaseMs = (leaseMs: number, timeoutS: number): number => Math.max(leaseMs, (timeoutS + 5) * 1000);

export interface PollerDeps {
  readonly api: Api;
  readonly store: TelegramStore;
  readonly logger: Logger;
  readonly now: () => number;
  readonly claims: Pick<UpdateClaims, 'receive'>;
}

/** grammY types its signals with an older shim; the runtime object is the same. */
export const asGrammySignal = (signal: AbortSignal): Parameters<Api['getUpdates']>[1] => signal as unknown as Parameters<Api['getUpdates']>[1];

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

/** Polls until `signal` aborts. */
export async function runPoller(deps: PollerDeps, options: PollerOptions, signal: AbortSignal): Promise<void> {
  let backoffMs = 500;
  let prunedAt = 0;
  const leaseMs = pollLeaseMs(options.leaseMs, options.timeoutS);
  try {
    while (!signal.aborted) {
      try {
        if (!(await deps.store.acquireLease(options.nodeId, deps.now(), leaseMs))) {
          await sleep(Math.min(leaseMs / 3, 5000), signal);
          continue;
        }
        const offset = await deps.store.readOffset();
        const updates = await deps.api.getUpdates({ offset, timeout: options.timeoutS, allowed_updates: ['message', 'callback_query'] }, asGrammySignal(signal));
        for (const update of updates) {
          // In order; one that another holder works on is theirs to finish (or the sweep's to take over).
          await (await deps.claims.receive(update))?.handled;
          await deps.store.saveOffset(update.update_id + 1);
        }
        if (deps.now() - prunedAt > 3_600_000) {
          prunedAt = deps.now();
          // Telegram keeps unconfirmed updates for 24 hours; claims older than that are dead weight.
          await deps.store.pruneUpdates(prunedAt - 48 * 3_600_000);
        }
        backoffMs = 500;
      } catch (err) {
        if (signal.aborted) break;
        // A 429 names its wait; anything else backs off from 0.5 s to 30 s.
        const retryAfterS = err instanceof GrammyError ? err.parameters.retry_after : undefined;
        const waitMs = retryAfterS !== undefined ? retryAfterS * 1000 : backoffMs;
        deps.logger.warn({ err: err instanceof Error ? err.message : String(err), retry_in_ms: waitMs }, 'telegram polling failed; retrying');
        await sleep(waitMs, signal);
        if (retryAfterS === undefined) backoffMs = Math.min(backoffMs * 2, 30_000);
      }
    }
  } finally {
    await deps.store.releaseLease(options.nodeId).catch(() => undefined);
  }
}
