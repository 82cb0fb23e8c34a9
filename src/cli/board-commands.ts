/** `switchboard projects …`, `switchboard board <PROJECT>` and `switchboard tasks …` (the portal's board). */
import { Argument, InvalidArgumentError, Option, type Command } from 'commander';
import type { RunAction } from './audit-commands.ts';
import {
  projectsCreateAction,
  projectsDeleteAction,
  projectsListAction,
  projectsShowAction,
  projectsUpdateAction,
  type ProjectDeleteOptions,
  type ProjectFieldOptions,
} from './projects-actions.ts';
import {
  boardAction,
  tasksCreateAction,
  tasksDeleteAction,
  tasksDiffAction,
  tasksEditAction,
  tasksExecuteAction,
  tasksMoveAction,
  tasksPrAction,
  tasksShowAction,
  type ExecuteOptions,
  type MoveOptions,
  type PrOptions,
  type TaskFieldOptions,
} from './board-actions.ts';
import { projectsActivityAction, tasksActivityAction, tasksListAction, type ActivityOptions, type TaskListOptions } from './board-list-actions.ts';
import { nonNegativeInt, positiveInt } from './input.ts';
import { BoardStatuses, Priorities } from '../core/domain/board.ts';
import { ProjectStatuses } from '../core/domain/project.ts';

function finiteNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number, e.g. 2 or 1.5');
  return n;
}

const PROJECT = ['<project>', 'the project key (DEMO) or id'] as const;
const TASK = ['<task>', 'the board task key (DEMO-7) or id'] as const;

/** The project field options; on update, '' clears a field. */
function projectFields(cmd: Command, clearable: boolean): Command {
  const clear = clearable ? " ('' clears it)" : '';
  return cmd
    .option('--description <text>', `what the project is about${clear}`)
    .addOption(new Option('--status <status>', 'project status').choices(ProjectStatuses))
    .option('--repo-url <url>', `its GitHub repository, https://github.com/owner/repo${clear}`)
    .option('--repo-path <path>', `an absolute path to a local clone on the server: tasks get worktrees there${clear}`)
    .option('--default-branch <branch>', `the branch pull requests target${clear}`)
    .option('--agent <agent>', `the agent a task runs on when none is named${clear}`)
    .option('--telegram-chat <id>', `the Telegram chat that hears about this project${clear}`);
}

function taskFields(cmd: Command, clearable: boolean): Command {
  const clear = clearable ? " ('' clears it)" : '';
  return cmd
    .option('--description <text>', `details for whoever (or whatever) does it${clear}`)
    .addOption(new Option('--priority <priority>', 'priority').choices(Priorities))
    .option('--agent <agent>', `the agent that executes it${clear}`);
}

export function registerBoardCommands(program: Command, run: RunAction): void {
  const projects = program.command('projects').description('List, create, show, change and delete projects (a board of tasks each)');
  projects
    .command('list')
    .description('The projects you may read')
    .action((_opts: unknown, cmd: Command) => run(cmd, (ctx) => projectsListAction(ctx)));
  projectFields(
    projects
      .command('create')
      .description('Create a project (needs project:create)')
      .requiredOption('--key <KEY>', 'upper-case letters or digits, e.g. DEMO: its tasks are DEMO-1, DEMO-2 …')
      .requiredOption('--name <name>', 'a name for people'),
    false,
  ).action((opts: ProjectFieldOptions, cmd: Command) => run(cmd, (ctx) => projectsCreateAction(ctx, opts)));
  projects
    .command('show')
    .description('One project with its settings')
    .argument(...PROJECT)
    .action((ref: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => projectsShowAction(ctx, ref)));
  projectFields(
    projects.command('update').description('Change a project (needs project:write)').argument(...PROJECT).option('--name <name>', 'a new name').option('--key <KEY>', 'a new key'),
    true,
  ).action((ref: string, opts: ProjectFieldOptions, cmd: Command) => run(cmd, (ctx) => projectsUpdateAction(ctx, ref, opts)));
  projects
    .command('delete')
    .description('Delete a project; refused while it has tasks unless --force (needs project:delete)')
    .argument(...PROJECT)
    .option('--force', 'also delete its tasks, cancelling their running executions')
    .action((ref: string, opts: ProjectDeleteOptions, cmd: Command) => run(cmd, (ctx) => projectsDeleteAction(ctx, ref, opts)));

  projects
    .command('activity')
    .description("The project's board changes, oldest first: cards created, moved, edited, executed, pull requests opened")
    .argument(...PROJECT)
    .option('--after <id>', 'only entries after this activity id (resume)', nonNegativeInt)
    .option('--limit <n>', 'at most this many (server default 100, at most 500)', positiveInt)
    .action((ref: string, opts: ActivityOptions, cmd: Command) => run(cmd, (ctx) => projectsActivityAction(ctx, ref, opts)));

  program
    .command('board')
    .description("A project's board: each column with its cards in order (--json: the same as one object)")
    .argument(...PROJECT)
    .action((ref: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => boardAction(ctx, ref)));

  const tasks = program.command('tasks').description("Board tasks: list, create, show, move, edit, delete, execute on an agent, see the branch's diff, open a pull request");
  tasks
    .command('list')
    .description('Board tasks of every project you may read, by column then position; filter by project, column, agent or words')
    .option('--project <project>', 'only this project (key or id)')
    .addOption(new Option('--status <column>', 'only this column').choices(BoardStatuses))
    .option('--agent <agent>', 'only cards assigned to this agent')
    .option('--search <words>', 'words in the title, the description or the key')
    .option('--limit <n>', 'cards per page (server default 200, at most 500)', positiveInt)
    .option('--cursor <cursor>', 'continue from a previous page')
    .option('--all', 'fetch every page')
    .action((opts: TaskListOptions, cmd: Command) => run(cmd, (ctx) => tasksListAction(ctx, opts)));
  taskFields(
    tasks
      .command('create')
      .description('Add a card to a project (needs project:write)')
      .argument(...PROJECT)
      .argument('<title...>', 'the title; `-` reads it from stdin')
      .addOption(new Option('--status <column>', 'the column (default: todo)').choices(BoardStatuses)),
    false,
  ).action((ref: string, title: string[], opts: TaskFieldOptions, cmd: Command) => run(cmd, (ctx) => tasksCreateAction(ctx, ref, title, opts)));
  tasks
    .command('show')
    .description('One card with its executions')
    .argument(...TASK)
    .action((ref: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => tasksShowAction(ctx, ref)));
  tasks
    .command('move')
    .description('Move a card to a column (appended there unless --position)')
    .argument(...TASK)
    .addArgument(new Argument('<column>', 'the column').choices(BoardStatuses))
    .option('--position <n>', 'order within the column: a number between those of the two cards to go between', finiteNumber)
    .action((ref: string, status: string, opts: MoveOptions, cmd: Command) => run(cmd, (ctx) => tasksMoveAction(ctx, ref, status, opts)));
  taskFields(tasks.command('edit').description('Change a card (needs project:write)').argument(...TASK).option('--title <title>', 'a new title'), true).action(
    (ref: string, opts: TaskFieldOptions, cmd: Command) => run(cmd, (ctx) => tasksEditAction(ctx, ref, opts)),
  );
  tasks
    .command('delete')
    .description('Delete a card (needs project:write)')
    .argument(...TASK)
    .action((ref: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => tasksDeleteAction(ctx, ref)));
  tasks
    .command('activity')
    .description("A card's history, oldest first: created, moved, edited, executed … who and when")
    .argument(...TASK)
    .option('--after <id>', 'only entries after this activity id (resume)', nonNegativeInt)
    .option('--limit <n>', 'at most this many (server default 100, at most 500)', positiveInt)
    .action((ref: string, opts: ActivityOptions, cmd: Command) => run(cmd, (ctx) => tasksActivityAction(ctx, ref, opts)));
  tasks
    .command('execute')
    .description("Run a card on an agent: prints the runtime task id, or follows it to the end with --follow (exit 0 completed, 1 failed or cancelled)")
    .argument(...TASK)
    .option('--agent <agent>', "the agent (default: the card's, else the project's)")
    .option('--prompt <text>', "what to ask (default: the card's title and description)")
    .option('--follow', 'stream its progress until it ends')
    .action((ref: string, opts: ExecuteOptions, cmd: Command) => run(cmd, (ctx) => tasksExecuteAction(ctx, ref, opts)));
  tasks
    .command('diff')
    .description("What the card's branch changed against the base branch: files on stderr, the patch on stdout")
    .argument(...TASK)
    .action((ref: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => tasksDiffAction(ctx, ref)));
  tasks
    .command('pr')
    .description("Commit the card's worktree, push its branch and open a GitHub pull request (or show the open one)")
    .argument(...TASK)
    .option('--title <title>', 'the pull request title (default: the key and title of the card)')
    .option('--body <text>', 'the pull request description')
    .action((ref: string, opts: PrOptions, cmd: Command) => run(cmd, (ctx) => tasksPrAction(ctx, ref, opts)));
}
