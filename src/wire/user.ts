/** The wire model of /api/users: zod schemas (validation + OpenAPI) and mappers. No secrets but a new token, once. */
import { z } from 'zod';
import type { CreatedToken, TokenInfo, UserInfo } from '../core/domain/identity.ts';
import { Permissions, Roles } from '../core/domain/permissions.ts';
import { iso } from './primitives.ts';


export const userParams = z.object({ id: z.string().min(1).max(200) });
export const tokenParams = z.object({ id: z.string().min(1).max(200), token_id: z.string().min(1).max(200) });

const password = z.string().min(1).max(1024).describe('At least 12 characters, mixing at least two kinds of character');

export const createUserBody = z
  .object({
    username: z.string().min(1).max(64),
    password: password.optional(),
    roles: z.array(z.enum(Roles)).max(Roles.length).default([]),
  })
  .strict();

export const updateUserBody = z
  .object({
    roles: z.array(z.enum(Roles)).max(Roles.length).optional(),
    disabled: z.boolean().optional(),
    password: password.optional(),
  })
  .strict();

export const createTokenBody = z
  .object({
    name: z.string().min(1).max(100),
    expires_at: z.iso.datetime({ offset: true }).nullable().optional().describe('ISO 8601; omitted or null: never expires'),
  })
  .strict();

export const userView = z.object({
  id: z.string(),
  username: z.string(),
  kind: z.enum(['user', 'service']),
  roles: z.array(z.enum(Roles)),
  grants: z.array(z.enum(Permissions)),
  disabled: z.boolean(),
  has_password: z.boolean(),
  created_at: z.string(),
});

export const tokenView = z.object({
  id: z.string(),
  user_id: z.string(),
  name: z.string(),
  prefix: z.string().describe('The first characters of the token, to recognise it'),
  created_at: z.string(),
  expires_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

export const createdTokenView = tokenView.extend({
  token: z.string().describe('The secret: shown this once, stored only as a hash'),
});

export const userToWire = (u: UserInfo): z.infer<typeof userView> => ({
  id: u.id,
  username: u.username,
  kind: u.kind,
  roles: [...u.roles],
  grants: [...u.grants],
  disabled: u.disabled,
  has_password: u.hasPassword,
  created_at: iso(u.createdAt),
});

export const tokenToWire = (t: TokenInfo): z.infer<typeof tokenView> => ({
  id: t.id,
  user_id: t.userId,
  name: t.name,
  prefix: t.prefix,
  created_at: iso(t.createdAt),
  expires_at: iso(t.expiresAt),
  revoked_at: iso(t.revokedAt),
});

export const createdTokenToWire = (t: CreatedToken): z.infer<typeof createdTokenView> => ({ ...tokenToWire(t), token: t.token });

/** GET /api/users and GET /api/users/{id}/tokens. */
export const userList = z.object({ users: z.array(userView) });
export const tokenList = z.object({ tokens: z.array(tokenView) });
export type UserView = z.infer<typeof userView>;
export type TokenView = z.infer<typeof tokenView>;
export type CreatedTokenView = z.infer<typeof createdTokenView>;
