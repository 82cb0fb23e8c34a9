/** `switchboard roles`, `switchboard grant|revoke <user> <role-or-permission>` and `switchboard policies …`. */
import type { Command } from 'commander';
import type { RunAction } from './audit-commands.ts';
import {
  grantAction,
  policiesCreateAction,
  policiesDeleteAction,
  policiesExplainAction,
  policiesListAction,
  policiesShowAction,
  policiesUpdateAction,
  rolesAction,
  type ExplainOptions,
  type PolicyOptions,
} from './policy-actions.ts';

const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value.split(',').map((s) => s.trim()).filter((s) => s !== ''),
];

/** The rule flags shared by `policies create` and `policies update`. */
function withRuleFlags(cmd: Command): Command {
  return cmd
    .option('--file <file>', 'read the policy from a JSON or YAML file (wire field names); flags override it')
    .option('--resource <type:id>', 'agent:<id>, skill:<id>, project:<id> or task:<id>; the id may be `*` or a prefix such as deploy-*')
    .option('--permission <p>', 'permissions the policy applies to (repeat or comma-separate; default: all)', collect)
    .option('--allow-role <role>', 'only these roles pass (repeat or comma-separate)', collect)
    .option('--allow-user <user>', 'only these users pass (ids or usernames)', collect)
    .option('--deny-user <user>', 'always denied (ids or usernames): an explicit deny wins', collect)
    .option('--require <p>', 'permissions the caller must also hold', collect)
    .option('--trusted-device', 'require a trusted device')
    .option('--no-trusted-device', 'do not require a trusted device')
    .option('--description <text>', 'what the policy is for');
}

/** Adds `roles`, `grant`, `revoke` and `policies` with their subcommands to `program`. */
export function registerPolicyCommands(program: Command, run: RunAction): void {
  program
    .command('roles')
    .description('List the roles and the permissions each holds')
    .action((_opts: unknown, cmd: Command) => run(cmd, (ctx) => rolesAction(ctx)));
  program
    .command('grant')
    .description('Grant a role or a single permission (e.g. task:view) to a user (needs admin:users and what you grant)')
    .argument('<user>', 'user id or username')
    .argument('<role-or-permission>', 'admin, developer, viewer, guest, or a permission such as agent:execute')
    .action((user: string, what: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => grantAction(ctx, user, what, true)));
  program
    .command('revoke')
    .description('Revoke a role or a single permission from a user (needs admin:users and what you revoke)')
    .argument('<user>', 'user id or username')
    .argument('<role-or-permission>')
    .action((user: string, what: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => grantAction(ctx, user, what, false)));

  const policies = program.command('policies').description('Manage resource policies (needs admin:system) and explain decisions');
  policies
    .command('list')
    .description('List every policy')
    .action((_opts: unknown, cmd: Command) => run(cmd, (ctx) => policiesListAction(ctx)));
  policies
    .command('show')
    .description('Show one policy')
    .argument('<id>')
    .action((id: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => policiesShowAction(ctx, id)));
  withRuleFlags(policies.command('create').description('Create a policy from flags and/or --file').argument('[id]', 'policy id (default: generated)')).action(
    (id: string | undefined, opts: PolicyOptions, cmd: Command) => run(cmd, (ctx) => policiesCreateAction(ctx, id, opts)),
  );
  withRuleFlags(policies.command('update').description('Change a policy: the given flags/file fields replace the stored ones').argument('<id>')).action(
    (id: string, opts: PolicyOptions, cmd: Command) => run(cmd, (ctx) => policiesUpdateAction(ctx, id, opts)),
  );
  policies
    .command('delete')
    .description('Delete a policy')
    .argument('<id>')
    .action((id: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => policiesDeleteAction(ctx, id)));
  policies
    .command('explain')
    .description('Say which rule allows or denies a permission on a resource, step by step')
    .argument('<permission>', 'e.g. agent:execute')
    .argument('[resource]', 'e.g. agent:gpt or project:42')
    .option('--user <user>', 'whose access (id or username; default: you; another user needs admin:users)')
    .option('--device-trust <level>', 'as if from a device of this trust: unknown, pending, trusted or revoked')
    .action((permission: string, resource: string | undefined, opts: ExplainOptions, cmd: Command) =>
      run(cmd, (ctx) => policiesExplainAction(ctx, permission, resource, opts)),
    );
}
