/**
 * Every HTTP route of the API (from the pinned OpenAPI document, which
 * test/wire-fixtures.test.ts keeps equal to the server's) is reachable from the CLI:
 * each route maps to the command (and the options) that call it, or to an explicit,
 * justified exclusion. A route added without a row here fails this test.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerClientCommands } from '../../src/cli/commands.ts';

type Row = string | { readonly excluded: string };

/** Route → `command path [--option …]` that calls it, or why no command does. */
const ROUTES: Readonly<Record<string, Row>> = {
  'GET /api/agents/available': 'agents list',
  'GET /api/agents/types': 'agents list',
  'GET /api/audit/events': 'audit query',
  'GET /api/audit/export': 'audit export --format --out',
  'GET /api/audit/sessions/{session_id}/activity': 'audit query --session',
  'GET /api/audit/users/{user_id}/activity': 'audit query --user',
  'GET /api/audit/verify': 'audit verify',
  'POST /api/auth/device-challenge': 'login --device',
  'POST /api/auth/login': 'login --password-stdin',
  'POST /api/devices': 'devices init --name',
  'GET /api/devices': 'devices list --all',
  'GET /api/devices/{id}': 'devices show',
  'GET /api/nodes': 'nodes list',
  'POST /mcp': 'mcp',
  'POST /api/devices/{id}/approve': 'devices approve',
  'POST /api/devices/{id}/revoke': 'devices revoke',
  'GET /api/policies': 'policies list',
  'POST /api/policies': 'policies create --file',
  'POST /api/policies/explain': 'policies explain',
  'GET /api/policies/{id}': 'policies show',
  'PUT /api/policies/{id}': 'policies update --file',
  'DELETE /api/policies/{id}': 'policies delete',
  'GET /api/projects': 'projects list',
  'POST /api/projects': 'projects create --key --name',
  'GET /api/projects/{id}': 'projects show',
  'PATCH /api/projects/{id}': 'projects update',
  'DELETE /api/projects/{id}': 'projects delete --force',
  'GET /api/projects/{id}/events': 'projects activity --after --limit',
  'GET /api/roles': 'roles',
  'GET /api/runtime/agents': 'agents list',
  'GET /api/runtime/agents/{agent_id}': 'agents show',
  'PUT /api/runtime/agents/{agent_id}': 'agents set --file',
  'DELETE /api/runtime/agents/{agent_id}': 'agents delete',
  'POST /api/runtime/agents/{agent_id}/check': 'agents check',
  'GET /api/runtime/inbox': 'inbox --limit',
  'POST /api/runtime/sessions': 'sessions create --user --device',
  'GET /api/runtime/sessions': 'sessions list --all --user',
  'GET /api/runtime/sessions/{session_id}': 'sessions show',
  'DELETE /api/runtime/sessions/{session_id}': 'sessions revoke',
  'GET /api/runtime/sessions/{session_id}/history': 'sessions history --limit',
  'GET /api/runtime/sessions/{session_id}/memory': 'sessions memory',
  'GET /api/runtime/sessions/{session_id}/memory/{key}': 'sessions memory',
  'PUT /api/runtime/sessions/{session_id}/memory/{key}': 'sessions memory --string',
  'DELETE /api/runtime/sessions/{session_id}/memory/{key}': 'sessions memory',
  'GET /api/runtime/skills': 'skills list',
  'POST /api/runtime/skills': 'skills install --replace --id',
  'GET /api/runtime/skills/{skill_id}': 'skills show',
  'DELETE /api/runtime/skills/{skill_id}': 'skills uninstall',
  'GET /api/runtime/tasks': 'list --state --agent --project --session --owner --limit --cursor --all',
  'POST /api/runtime/tasks/submit': 'submit --context --project --session --idempotency-key',
  'POST /api/runtime/tasks/{task_id}/answer': 'answer',
  'POST /api/runtime/tasks/{task_id}/approve': 'approve --deny --reason --approval',
  'POST /api/runtime/tasks/{task_id}/cancel': 'cancel',
  'GET /api/runtime/tasks/{task_id}/events': 'events --after --limit',
  'GET /api/runtime/tasks/{task_id}/state': 'status',
  'DELETE /api/runtime/tasks/{task_id}/worktree': 'worktree remove --delete-branch',
  'GET /api/tasks': 'tasks list --project --status --agent --search --limit --cursor --all',
  'POST /api/tasks': 'tasks create',
  'POST /api/tasks/execute': 'tasks execute --agent --prompt --follow',
  'GET /api/tasks/{id}': 'tasks show',
  'PATCH /api/tasks/{id}': 'tasks edit',
  'DELETE /api/tasks/{id}': 'tasks delete',
  'GET /api/tasks/{id}/activity': 'tasks activity --after --limit',
  'POST /api/tasks/{id}/create_pr': 'tasks pr --title --body',
  'GET /api/tasks/{id}/diff': 'tasks diff',
  'GET /api/tasks/{id}/executions': 'tasks show',
  'POST /api/telegram/link-codes': 'telegram link --user',
  'GET /api/telegram/links': 'telegram links --user --all',
  'DELETE /api/telegram/links/{telegram_user_id}': 'telegram unlink',
  'GET /api/users': 'users list',
  'POST /api/users': 'users create --role --password-stdin',
  'GET /api/users/me': 'whoami',
  'POST /api/users/me/password': 'password --password-stdin',
  'PATCH /api/users/{id}': 'users update --role --enable --disable --password-stdin',
  'POST /api/users/{id}/permissions': 'grant',
  'DELETE /api/users/{id}/permissions/{permission}': 'revoke',
  'POST /api/users/{id}/roles': 'grant',
  'DELETE /api/users/{id}/roles/{role}': 'revoke',
  'POST /api/users/{id}/tokens': 'tokens create --user --expires',
  'GET /api/users/{id}/tokens': 'tokens list --user',
  'DELETE /api/users/{id}/tokens/{token_id}': 'tokens revoke --user',
  'POST /api/web/session': { excluded: "the web UI's cookie sign-in (with a CSRF token); the CLI signs in with `login`, which holds a bearer session" },
  'GET /api/web/session': { excluded: "the web UI's own view of its cookie session; the CLI's equivalent is `whoami`" },
  'DELETE /api/web/session': { excluded: "signs the browser out and clears its cookie; the CLI's equivalent is `logout`" },
  'GET /health': { excluded: 'an unauthenticated probe for load balancers and orchestrators, read by them, not by people' },
  'GET /metrics': { excluded: 'Prometheus scrapes it; its text format is for the scraper, not a terminal' },
};

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

function apiRoutes(): string[] {
  const doc = JSON.parse(readFileSync(new URL('../fixtures/wire/openapi.json', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).filter((m) => METHODS.has(m)).map((m) => `${m.toUpperCase()} ${path}`));
}

function program(): Command {
  const root = new Command().name('switchboard');
  registerClientCommands(root);
  return root;
}

/** The command at `path` of `root`, or undefined. */
function find(root: Command, path: readonly string[]): Command | undefined {
  let cmd: Command | undefined = root;
  for (const name of path) cmd = cmd?.commands.find((c) => c.name() === name);
  return cmd;
}

const hasOption = (cmd: Command, flag: string): boolean => {
  for (let c: Command | null = cmd; c !== null; c = c.parent) if (c.options.some((o) => o.long === flag || o.short === flag)) return true;
  return false;
};

describe('CLI parity with the HTTP API', () => {
  it('maps every route of the OpenAPI document to a command or a justified exclusion', () => {
    const missing = apiRoutes().filter((r) => !(r in ROUTES));
    assert.deepEqual(missing, [], `routes without a CLI command: add the command and a row here, or an exclusion with its reason`);
  });

  it('has no row for a route the API no longer has', () => {
    const routes = new Set(apiRoutes());
    assert.deepEqual(Object.keys(ROUTES).filter((r) => !routes.has(r)), []);
  });

  it('names commands and options that exist in the command tree', () => {
    const root = program();
    for (const [route, row] of Object.entries(ROUTES)) {
      if (typeof row !== 'string') {
        assert.ok(row.excluded.length > 20, `${route}: an exclusion says why`);
        continue;
      }
      const words = row.split(' ');
      const path = words.filter((w) => !w.startsWith('-'));
      const cmd = find(root, path);
      assert.ok(cmd !== undefined && cmd !== root, `${route}: no command \`switchboard ${path.join(' ')}\``);
      assert.equal(cmd.commands.length, 0, `${route}: \`${row}\` is a group of commands, not one command`);
      for (const flag of words.filter((w) => w.startsWith('-'))) assert.ok(hasOption(cmd, flag), `${route}: \`switchboard ${path.join(' ')}\` has no ${flag}`);
    }
  });

  it('declares --json on the root, so every command accepts it', () => {
    assert.ok(program().options.some((o) => o.long === '--json'));
  });
});
