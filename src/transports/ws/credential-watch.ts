/**
 * Keeps open WebSockets honest about their credential: every `recheckMs` each distinct
 * credential among them is authenticated again (one lookup however many sockets share
 * it), and at once for a user whose credentials changed on this node. A credential that
 * no longer authenticates (revoked, expired, its user disabled) closes its sockets; one
 * that does refreshes their Caller, so a role change applies to their next request.
 */
import { SwitchboardError } from '../../core/domain/errors.ts';
import type { Caller } from '../../core/domain/caller.ts';
import type { Authenticator } from '../../core/ports/authenticator.ts';

/** A connection as the watch sees it. */
export interface WatchedConnection {
  readonly credential: string;
  readonly userId: string;
  /** The credential still authenticates, as this caller. */
  refresh(caller: Caller): void;
  /** The credential no longer authenticates. */
  revoke(err: SwitchboardError): void;
}

export interface CredentialWatch {
  add(conn: WatchedConnection): void;
  remove(conn: WatchedConnection): void;
  /** Checks the credentials of this user's connections now. */
  checkUser(userId: string): void;
  start(): void;
  stop(): void;
}

/** Refusals that mean the credential itself is gone (a store outage is not one: the next check decides). */
const REVOKED = new Set(['AUTH_REQUIRED', 'AUTH_INVALID', 'AUTH_FORBIDDEN', 'DEVICE_REVOKED']);

export function createCredentialWatch(
  authenticator: Authenticator,
  options: { readonly recheckMs: number; readonly onError: (err: unknown) => void },
): CredentialWatch {
  const byCredential = new Map<string, Set<WatchedConnection>>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;

  async function check(credential: string): Promise<void> {
    const conns = byCredential.get(credential);
    if (conns === undefined || conns.size === 0) return;
    try {
      const caller = await authenticator.authenticate(credential);
      for (const c of conns) c.refresh(caller);
    } catch (err) {
      if (err instanceof SwitchboardError && REVOKED.has(err.code)) {
        byCredential.delete(credential);
        for (const c of conns) c.revoke(err);
      } else options.onError(err);
    }
  }

  async function checkAll(): Promise<void> {
    if (running) return;
    running = true;
    try {
      for (const credential of [...byCredential.keys()]) await check(credential);
    } finally {
      running = false;
    }
  }

  return {
    add(conn) {
      let set = byCredential.get(conn.credential);
      if (set === undefined) byCredential.set(conn.credential, (set = new Set()));
      set.add(conn);
    },
    remove(conn) {
      const set = byCredential.get(conn.credential);
      if (set === undefined) return;
      set.delete(conn);
      if (set.size === 0) byCredential.delete(conn.credential);
    },
    checkUser(userId) {
      for (const [credential, conns] of byCredential) {
        if ([...conns].some((c) => c.userId === userId)) void check(credential);
      }
    },
    start() {
      timer ??= setInterval(() => void checkAll(), options.recheckMs);
      timer.unref();
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
}
