/** Roles, permissions and the table between them (REFERENCE.md). Pure. */

export const Permissions = [
  'task:submit',
  'task:cancel',
  'task:view',
  'agent:list',
  'agent:execute',
  'agent:configure',
  'skill:list',
  'skill:execute',
  'skill:install',
  'project:read',
  'project:write',
  'project:delete',
  'admin:users',
  'admin:system',
  /** Connect a remote worker node (`switchboard node`); admin only unless granted. */
  'node:connect',
  /** List the connected worker nodes, their agents, labels and health; admin only unless granted. */
  'node:read',
] as const;

export type Permission = (typeof Permissions)[number];

export const Roles = ['admin', 'developer', 'viewer', 'guest'] as const;

export type Role = (typeof Roles)[number];

/** The role → permission table. Deny by default: what is not listed is not allowed. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: Permissions,
  developer: [
    'task:submit',
    'task:cancel',
    'task:view',
    'agent:list',
    'agent:execute',
    'skill:list',
    'skill:execute',
    'project:read',
    'project:write',
  ],
  viewer: ['task:view', 'agent:list', 'skill:list', 'project:read'],
  guest: ['agent:list', 'skill:list'],
};

/** Type guard for role names from the wire or the database. */
export function isRole(value: string): value is Role {
  return (Roles as readonly string[]).includes(value);
}

/** Type guard for permission names from the wire or the database. */
export function isPermission(value: string): value is Permission {
  return (Permissions as readonly string[]).includes(value);
}
