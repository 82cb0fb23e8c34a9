/** `switchboard skills list|show|install|uninstall`: clients of /api/runtime/skills. */
import type { Command } from 'commander';
import type { RunAction } from './audit-commands.ts';
import {
  skillsInstallAction,
  skillsListAction,
  skillsShowAction,
  skillsUninstallAction,
  type SkillInstallOptions,
} from './skills-actions.ts';

/** Adds `skills` with its subcommands to `program`. */
export function registerSkillCommands(program: Command, run: RunAction): void {
  const skills = program.command('skills').description('List, inspect, install and uninstall skills');
  skills
    .command('list')
    .description('Skills and the permissions they need')
    .action((_opts: unknown, cmd: Command) => run(cmd, (ctx) => skillsListAction(ctx)));
  skills
    .command('show')
    .description("A skill's definition: instructions, entrypoint, input schema, permissions")
    .argument('<skill-id>')
    .action((id: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => skillsShowAction(ctx, id)));
  skills
    .command('install')
    .description(
      'Install a skill (needs skill:install): a local folder (packed and uploaded), a .tar.gz/.tgz or .zip file (uploaded), ' +
        'or a git URL cloned by the server (https://, ssh://, git@host:path; file:// names a repository on the server and needs admin:system)',
    )
    .argument('<source>', 'folder, archive file or git URL')
    .option('--replace', 'replace an installed skill with the same id')
    .option('--id <id>', 'install under this id (default: the SKILL.md name, else the folder or repository name)')
    .action((source: string, opts: SkillInstallOptions, cmd: Command) => run(cmd, (ctx) => skillsInstallAction(ctx, source, opts)));
  skills
    .command('uninstall')
    .description('Remove an installed skill (skills of configured folders are read-only)')
    .argument('<skill-id>')
    .action((id: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => skillsUninstallAction(ctx, id)));
}
