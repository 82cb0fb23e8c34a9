/** User administration as the runtime exposes it: users, roles, disabling, API tokens. */
import type { Caller } from '../domain/caller.ts';
import type { CreatedToken, TokenInfo, UserInfo } from '../domain/identity.ts';
import type { Role } from '../domain/permissions.ts';

export interface NewUserInput {
  readonly username: string;
  readonly password?: string;
  readonly roles: readonly Role[];
}

export interface UserPatchInput {
  readonly roles?: readonly Role[];
  readonly disabled?: boolean;
  readonly password?: string;
}

export interface OwnPasswordInput {
  /** Required when the account has a password already. */
  readonly currentPassword?: string;
  readonly newPassword: string;
  /** The client's address: wrong current passwords count towards the login limits. */
  readonly ip: string;
}

export interface NewTokenInput {
  readonly name: string;
  readonly expiresAt?: number | null;
}

/** User and token administration; every call is authorized and audited. */
export interface UserAdmin {
  me(caller: Caller): Promise<UserInfo>;
  listUsers(caller: Caller): Promise<readonly UserInfo[]>;
  createUser(caller: Caller, input: NewUserInput): Promise<UserInfo>;
  updateUser(caller: Caller, userId: string, patch: UserPatchInput): Promise<UserInfo>;
  /** Sets the caller's own password (no admin:users needed) and ends the caller's other sessions. */
  changeOwnPassword(caller: Caller, input: OwnPasswordInput): Promise<UserInfo>;
  createToken(caller: Caller, userId: string, input: NewTokenInput): Promise<CreatedToken>;
  listTokens(caller: Caller, userId: string): Promise<readonly TokenInfo[]>;
  revokeToken(caller: Caller, userId: string, tokenId: string): Promise<TokenInfo>;
}
