/** Who is calling: a principal, and the session and device it acts through. */
import { ROLE_PERMISSIONS, type Permission, type Role } from './permissions.ts';

/** Someone who can act: a user or a service account. */
export interface Principal {
  readonly id: string;
  readonly username: string;
  readonly kind: 'user' | 'service';
  readonly roles: readonly Role[];
  /** Permissions granted individually, on top of the roles. */
  readonly grants: readonly Permission[];
}

/** Trust level of a device: `unknown → pending → trusted`, or `revoked`. */
export const DeviceTrustLevels = ['unknown', 'pending', 'trusted', 'revoked'] as const;

export type DeviceTrust = (typeof DeviceTrustLevels)[number];

/** Who is calling the runtime, and through what. */
export interface Caller {
  readonly principal: Principal;
  readonly sessionId?: string;
  readonly deviceId?: string;
  /** Trust level of `deviceId` when the session was bound to a registered device. */
  readonly deviceTrust?: DeviceTrust;
  /** The credential kind that authenticated this caller (for audit); `link`: an external identity linked to the user (Telegram). */
  readonly via: 'token' | 'session' | 'system' | 'link';
  /** The transport the call came through when it is not the HTTP API (recorded in audit details). */
  readonly channel?: CallerChannel;
}

/** Transports that act for a user besides the HTTP API. */
export type CallerChannel = 'telegram' | 'websocket';

/** Every permission a caller holds through roles and grants. */
export function effectivePermissions(caller: Caller): ReadonlySet<Permission> {
  const out = new Set<Permission>(caller.principal.grants);
  for (const role of caller.principal.roles) for (const p of ROLE_PERMISSIONS[role]) out.add(p);
  return out;
}

/** True when the caller holds the permission through a role or a grant. */
export function hasPermission(caller: Caller, permission: Permission): boolean {
  if (caller.principal.grants.includes(permission)) return true;
  for (const role of caller.principal.roles) if (ROLE_PERMISSIONS[role].includes(permission)) return true;
  return false;
}
