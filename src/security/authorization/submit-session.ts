/**
 * Which session a submitted task may run in. A task in a session gets that session's
 * memory and conversation, so naming a session is naming whose memory the agent
 * reads and writes: a caller acting in a session may submit only into that session;
 * a caller with an API token only into a live session of its own. Anything else is
 * refused (audited): another live session of the caller's own while acting in a
 * different one is 403; a session that is not the caller's, not live or unknown is
 * 404 (not revealed). Without `session_id`, a caller acting in a session submits
 * into it (the engine fills it in).
 */
import { SwitchboardError } from '../../core/domain/errors.ts';
import type { SessionInfo } from '../../core/domain/identity.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Caller } from '../../core/domain/caller.ts';
import type { SubmitInput } from '../../core/domain/task.ts';
import type { Guard } from '../../core/ports/guard.ts';

/** How submit looks sessions up (the CredentialStore does it). */
export interface SubmitSessionDeps {
  readonly sessions: { getSession(sessionId: string): Promise<SessionInfo | undefined> };
  readonly clock: Clock;
}

/** Resolves when `caller` may submit `input` into its `sessionId`; otherwise audits the denial and throws. */
export async function checkSubmitSession(
  deps: SubmitSessionDeps | undefined,
  guard: Pick<Guard, 'refuse'>,
  caller: Caller,
  input: SubmitInput,
): Promise<void> {
  const sessionId = input.sessionId;
  if (sessionId === undefined || sessionId === caller.sessionId) return;
  // Without a lookup (an engine embedded without credentials) no other session can be named.
  const session = deps === undefined ? undefined : await deps.sessions.getSession(sessionId);
  const live = deps !== undefined && session !== undefined && session.revokedAt === null && session.expiresAt > deps.clock.now();
  const mine = live && session.userId === caller.principal.id;
  if (mine && caller.sessionId === undefined) return;
  const resource = { type: 'session', id: sessionId };
  if (mine) await guard.refuse(caller, { permission: 'task:submit', resource, reason: 'a task runs in the session its caller acts in' });
  await guard.refuse(
    caller,
    { permission: 'task:submit', resource, reason: 'not a live session of the caller' },
    new SwitchboardError('SESSION_NOT_FOUND', undefined, { session_id: sessionId }),
  );
}
