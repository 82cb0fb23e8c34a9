/** Starts a real app (real database, real HTTP server on a loopback port) for a test. */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config/load-config.ts';
import { createApp, createLogger, type App, type CreateAppOptions } from '../../src/app/create-app.ts';
import type { AgentAdapter } from '../../src/core/ports/agent-adapter.ts';
import { generateToken } from '../../src/security/authentication/tokens.ts';
import type { Role } from '../../src/core/domain/permissions.ts';
import { makeTestDatabase, type DialectName, type TestDatabase } from './databases.ts';
import { captureFile, recordSecret, recordSecretsIn } from './log-capture.ts';

/** Debug logs into the capture dir when the runner collects them (secret scan), else as configured. */
function testLogger(): ReturnType<typeof createLogger> {
  const file = captureFile('app');
  return file === undefined ? createLogger(process.env['SWITCHBOARD_LOG_LEVEL'] ?? 'silent') : createLogger('debug', file);
}

/** Notes the secrets a request sends or a JSON answer returns, for the log scan. */
async function noteSecrets(body: RequestInit['body'], res: Response): Promise<void> {
  if (typeof body === 'string' && body.includes('"password"')) {
    try {
      recordSecretsIn(JSON.parse(body));
    } catch {
      // not JSON: nothing to note
    }
  }
  if (res.ok && (res.headers.get('content-type') ?? '').includes('application/json')) {
    const text = await res.clone().text();
    if (text.includes('"token"')) recordSecretsIn(JSON.parse(text));
  }
}

export interface TestApp {
  readonly app: App;
  readonly db: TestDatabase;
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** The admin's API token. */
  readonly adminToken: string;
  /** Creates a user with these roles and returns an API token for it. */
  createUser(username: string, roles: readonly Role[]): Promise<{ userId: string; token: string }>;
  /** fetch against the server with the admin token (or `token`). */
  request(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  readonly env?: Record<string, string>;
  readonly extraAgents?: readonly AgentAdapter[];
  /** Reuse an existing database (restart scenarios); it is not dropped on close. */
  readonly db?: TestDatabase;
  /** Passed to createApp (injected clock, session lifetimes). */
  readonly app?: Pick<CreateAppOptions, 'clock' | 'sessions' | 'loginLimits' | 'agentEnv'>;
}

export async function startTestApp(dialect: DialectName, options: TestAppOptions = {}): Promise<TestApp> {
  const db = options.db ?? makeTestDatabase(dialect);
  const adminToken = `sbt_test_${randomBytes(16).toString('hex')}`;
  const config = loadConfig({
    PORT: '0',
    SWITCHBOARD_ADMIN_TOKEN: adminToken,
    SWITCHBOARD_NODE_ID: `test-${randomBytes(4).toString('hex')}`,
    SWITCHBOARD_POLL_MS: '200',
    // No zero-config discovery unless a test asks: the agent list must not depend on this machine.
    SWITCHBOARD_DISCOVER: '0',
    ...db.env,
    ...options.env,
  });
  const app = await createApp({
    config,
    logger: testLogger(),
    ...(options.extraAgents ? { extraAgents: options.extraAgents } : {}),
    ...options.app,
  });
  recordSecret(adminToken);
  const url = await app.listen();
  return {
    app,
    db,
    url,
    adminToken,
    async createUser(username, roles) {
      const userId = crypto.randomUUID();
      await app.store.credentials.createUser({ id: userId, username, kind: 'user', roles, grants: [], createdAt: Date.now() });
      const t = generateToken();
      await app.store.credentials.createToken({
        id: crypto.randomUUID(),
        userId,
        name: 'test',
        tokenHash: t.hash,
        prefix: t.displayPrefix,
        createdAt: Date.now(),
        expiresAt: null,
      });
      recordSecret(t.token);
      return { userId, token: t.token };
    },
    request(path, init = {}) {
      const { token, ...rest } = init;
      const headers = new Headers(rest.headers);
      const bearer = token === undefined ? adminToken : token;
      if (bearer !== null) headers.set('authorization', `Bearer ${bearer}`);
      if (rest.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
      return fetch(url + path, { ...rest, headers }).then(async (res) => {
        if (rest.method !== undefined && rest.method !== 'GET') await noteSecrets(rest.body, res);
        return res;
      });
    },
    async close() {
      await app.close();
      if (options.db === undefined) await db.drop();
    },
  };
}
