/** First start: create the admin user and its token (given, or generated and returned once). */
import { SwitchboardError } from '../../core/domain/errors.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { CredentialStore } from '../../core/ports/credential-store.ts';
import type { Ids } from '../../core/ports/ids.ts';
import { TOKEN_PREFIX, generateToken, hashToken } from './tokens.ts';

export type BootstrapResult =
  | { readonly created: false }
  | { readonly created: true; readonly generatedToken: string | undefined };

/** Minimum length of a token given in SWITCHBOARD_ADMIN_TOKEN. */
export const MIN_GIVEN_TOKEN_LENGTH = 24;

export async function bootstrapAdmin(
  deps: { readonly credentials: CredentialStore; readonly ids: Ids; readonly clock: Clock },
  givenToken: string | undefined,
): Promise<BootstrapResult> {
  if ((await deps.credentials.countUsers()) > 0) return { created: false };
  if (givenToken !== undefined && (!givenToken.startsWith(TOKEN_PREFIX) || givenToken.length < MIN_GIVEN_TOKEN_LENGTH)) {
    throw new SwitchboardError(
      'VALIDATION_FAILED',
      `SWITCHBOARD_ADMIN_TOKEN must start with "${TOKEN_PREFIX}" and be at least ${MIN_GIVEN_TOKEN_LENGTH} characters long`,
    );
  }
  const now = deps.clock.now();
  const userId = deps.ids.uuid();
  await deps.credentials.createUser({ id: userId, username: 'admin', kind: 'user', roles: ['admin'], grants: [], createdAt: now });
  const generated = givenToken === undefined ? generateToken() : undefined;
  const token = givenToken ?? generated?.token ?? '';
  await deps.credentials.createToken({
    id: deps.ids.uuid(),
    userId,
    name: 'bootstrap',
    tokenHash: generated?.hash ?? hashToken(token),
    prefix: token.slice(0, TOKEN_PREFIX.length + 4),
    createdAt: now,
    expiresAt: null,
  });
  return { created: true, generatedToken: generated?.token };
}
