/**
 * Handling each update once across a cluster, and at least once across crashes. An
 * update is claimed in the database with its JSON before anything acts on it (the
 * webhook answers Telegram only then; the poller moves its offset only after it), and
 * marked handled afterwards. While a process works on claims it renews them; a claim
 * it stopped renewing (it died), or one left by an earlier boot of the same node, is
 * taken over by the sweep, so an update cut off by a crash is handled again instead
 * of lost. Handlers that start tasks submit them with the update's idempotency key,
 * so handling twice never runs a task twice.
 */
import type { Update } from 'grammy/types';
import type { Logger } from '../../core/ports/logger.ts';
import type { ClaimHolder, TelegramStore } from '../../core/ports/telegram-store.ts';

export interface UpdateClaimsDeps {
  readonly store: TelegramStore;
  readonly logger: Logger;
  readonly now: () => number;
  readonly handle: (update: Update) => Promise<void>;
}

export interface UpdateClaimsOptions {
  readonly holder: ClaimHolder;
  /** How long a claim lives without renewal; renewed every third of it. */
  readonly ttlMs: number;
}

export interface UpdateClaims {
  /**
   * Claims the update (durably) and starts handling it: `handled` settles when the
   * handler is done; undefined when the update is handled or held elsewhere.
   */
  receive(update: Update): Promise<{ readonly handled: Promise<void> } | undefined>;
  /** Takes over and handles open claims whose holder is gone; how many it took. */
  sweep(): Promise<number>;
  /** Renews this process's open claims and sweeps; call every third of the TTL. */
  tick(): Promise<void>;
  /** Waits for the handlers in flight. */
  drain(): Promise<void>;
}

/** The idempotency key of what an update submits: the same when the update is handled again. */
export const updateIdempotencyKey = (botId: number, updateId: number): string => `telegram:${botId}:${updateId}`;

const errText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function createUpdateClaims(deps: UpdateClaimsDeps, options: UpdateClaimsOptions): UpdateClaims {
  const { holder, ttlMs } = options;
  const inFlight = new Set<Promise<void>>();
  let sweeping = false;

  const run = (update: Update): Promise<void> => {
    const handled = deps
      .handle(update)
      .catch((err: unknown) => deps.logger.warn({ err: errText(err), update_id: update.update_id }, 'telegram update failed'))
      // A failed handler is finished too: running it again would fail again.
      .then(() => deps.store.finishUpdate(update.update_id, holder.owner, deps.now()))
      .catch((err: unknown) => deps.logger.warn({ err: errText(err), update_id: update.update_id }, 'telegram: marking an update handled failed'))
      .finally(() => inFlight.delete(handled));
    inFlight.add(handled);
    return handled;
  };

  const receive = async (update: Update): Promise<{ readonly handled: Promise<void> } | undefined> => {
    const claim = await deps.store.claimUpdate({ id: update.update_id, payload: JSON.stringify(update) }, holder, deps.now(), ttlMs);
    return claim === 'claimed' ? { handled: run(update) } : undefined;
  };

  const sweep = async (): Promise<number> => {
    if (sweeping) return 0;
    sweeping = true;
    try {
      let taken = 0;
      for (const stale of await deps.store.staleUpdates(holder, deps.now(), ttlMs, 100)) {
        const got = await receive(JSON.parse(stale.payload) as Update);
        if (got === undefined) continue;
        taken += 1;
        deps.logger.info({ update_id: stale.id }, 'telegram: handling an update whose handler was cut off');
        await got.handled;
      }
      return taken;
    } finally {
      sweeping = false;
    }
  };

  return {
    receive,
    sweep,
    async tick() {
      if (inFlight.size > 0) await deps.store.renewClaims(holder.owner, deps.now());
      await sweep();
    },
    async drain() {
      await Promise.allSettled([...inFlight]);
    },
  };
}
