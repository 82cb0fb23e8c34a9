/**
 * The web UI in a real browser (Debian's Chromium through playwright-core) against a
 * real server on loopback, with a real clone for a command agent's diff. SQLite only:
 * the UI speaks the HTTP API, whose behaviour on both databases the API suites prove.
 *
 * One user's journey, in order: sign in with the printed token → set a password and
 * sign in with it → create a project → create three tasks → drag one across the board
 * with the mouse and one with the keyboard (a second browser sees both live) → run one
 * on echo with a delay and watch its progress → answer a task that asks (from the
 * Inbox) → cancel another → the diff of a command agent's work → all of it in the audit
 * log, and the chain verified. Then a viewer sees no edit controls and
 * a guest sees the API's 403. Every page is screenshotted at desktop and phone width,
 * checked with axe-core, and no console error or warning is allowed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { skillMd, tarGz } from '../helpers/craft-archives.ts';
import { attrs, launchBrowser, openPage, screenshot, seriousA11yViolations, type WatchedPage } from '../helpers/browser.ts';
import { startBoardWorld, type BoardWorld } from '../helpers/board-repo.ts';
import { recordSecret } from '../helpers/log-capture.ts';
import { waitFor } from '../helpers/wait.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { botEnv, say } from '../helpers/telegram-bot.ts';
import { submit, waitForState } from '../helpers/api.ts';
import { TOOL_PROVIDERS, call, open, setUp } from '../fixtures/skill-fixtures.ts';

const PASSWORD = 'Admin-password-2026';
const VERA_PASSWORD = 'Vera-changed-2026';
const GITHUB_TOKEN = 'ghp_browserFixtureTOKEN0123456789abcdef';

describe('web UI in Chromium', () => {
  let world: BoardWorld;
  let browser: Browser;
  let me: WatchedPage;
  let watcher: WatchedPage;
  const pages: WatchedPage[] = [];
  let guestPage: WatchedPage | undefined;
  let devicePage: WatchedPage | undefined;
  let tg: FakeTelegram;
  const url = (path: string): string => world.t.url + path;

  before(async () => {
    recordSecret(PASSWORD);
    tg = await startFakeTelegram();
    world = await startBoardWorld('sqlite', GITHUB_TOKEN, botEnv(tg));
    browser = await launchBrowser();
    me = await openPage(browser);
    pages.push(me);
  });
  after(async () => {
    await browser?.close();
    await world?.close();
    await tg?.close();
    for (const close of open.reverse()) await close();
  });

  async function signInWithPassword(page: Page, username: string, password: string): Promise<void> {
    await page.goto(url('/'));
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
  }

  const card = (page: Page, key: string) => page.locator(`[data-key="${key}"]`);
  const keysIn = async (page: Page, status: string): Promise<string> =>
    (await attrs(page.locator(`[data-status="${status}"] [data-key]`), 'data-key')).join();
  const columnOf = async (page: Page, key: string): Promise<string | null> => card(page, key).locator('xpath=ancestor::ul[1]').getAttribute('data-status');

  it('signs in with the printed token, sets a password, and signs in with it', async () => {
    const { page } = me;
    await page.goto(url('/projects/NOWHERE'));
    await page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
    assert.match(page.url(), /\/sign-in\?next=%2Fprojects%2FNOWHERE$/, 'keeps where the user was going');
    await screenshot(page, 'sign-in-desktop');
    await page.getByRole('tab', { name: 'API token' }).click();
    await page.getByText('admin-token').waitFor();
    await page.getByLabel('API token').fill('sbt_wrong_0000000000000000000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
    await page.getByLabel('API token').fill(world.t.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back where they were going: a project that does not exist, answered by the API's 404.
    await page.getByRole('alert').filter({ hasText: 'No such project' }).waitFor();
    const cookies = await me.context.cookies();
    const session = cookies.find((c) => c.name === 'sb_session');
    assert.ok(session?.httpOnly, 'the session cookie is HttpOnly');
    assert.equal(session.sameSite, 'Strict');
    assert.ok(!session.value.includes(world.t.adminToken), 'the cookie is a session, not the token');
    assert.equal(await page.evaluate('document.cookie'), '', 'JavaScript sees no cookie');
    recordSecret(session.value);

    await page.getByRole('link', { name: 'admin', exact: true }).click();
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('status').filter({ hasText: 'Password saved' }).waitFor();
    await screenshot(page, 'me-desktop');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
    await signInWithPassword(page, 'admin', PASSWORD);
  });

  it('creates an API token on the Me page, shown once, that works until it is revoked', async () => {
    const { page } = me;
    await page.getByRole('link', { name: 'admin', exact: true }).click();
    await page.getByLabel('Token name').fill('ci');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.locator('code.secret').innerText()).trim();
    recordSecret(token);
    assert.match(token, /^sbt_/);
    const asToken = () => fetch(url('/api/users/me'), { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await asToken()).status, 200);
    await page.getByRole('button', { name: 'I have saved it' }).click();
    assert.equal(await page.locator('code.secret').count(), 0, 'not shown again');
    await page.locator('.sessions li', { hasText: 'ci' }).getByRole('button', { name: 'Revoke' }).click();
    await page.locator('.sessions li', { hasText: 'ci' }).waitFor({ state: 'detached' });
    // Revocation is effective at once on this node (its cache is told).
    assert.equal((await asToken()).status, 401);
    await page.goto(url('/'));
  });

  it('links a Telegram account with a code from the Me page, and unlinks it there', async () => {
    const { page } = me;
    const user = { id: 8801, username: 'admin_tg' };
    await page.getByRole('link', { name: 'admin', exact: true }).click();
    await page.getByRole('button', { name: 'Make a link code' }).click();
    const shown = (await page.getByRole('status').filter({ hasText: 'to the bot' }).locator('code.secret').innerText()).trim();
    assert.match(shown, /^\/link [A-Z2-9]{12}$/);
    assert.match(await say(tg, user, shown), /Linked: you act as admin/);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.reload();
    const row = page.locator('.sessions li', { hasText: '@admin_tg' });
    await row.getByRole('button', { name: 'Unlink' }).click();
    await row.waitFor({ state: 'detached' });
    assert.match(await say(tg, user, '/projects'), /not linked/);
    await page.goto(url('/'));
  });

  it('creates a project and three tasks on its board', async () => {
    const { page } = me;
    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByLabel('Name').fill('Rocket');
    await page.getByLabel('Key (e.g. DEMO)').fill('RKT');
    await page.getByLabel('Local clone on the server (absolute path)').fill(world.clone);
    await page.getByLabel('Default agent').fill('echo');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('link', { name: 'Rocket' }).click();
    await page.getByRole('heading', { name: /Rocket/ }).waitFor();
    for (const title of ['Write the spec', 'Build the engine', 'Paint the hull']) {
      await page.getByPlaceholder('Add a task…').fill(title);
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await page.getByText(title).waitFor();
    }
    assert.deepEqual(await attrs(page.locator('[data-status="todo"] [data-key]'), 'data-key'), ['RKT-1', 'RKT-2', 'RKT-3']);
    await screenshot(page, 'board-desktop');
  });

  it('moves cards with the mouse and the keyboard, and a second browser sees it live', async () => {
    watcher = await openPage(browser);
    pages.push(watcher);
    await signInWithPassword(watcher.page, 'admin', PASSWORD);
    await watcher.page.goto(url('/projects/RKT'));
    await card(watcher.page, 'RKT-3').waitFor();

    const { page } = me;
    // Mouse: RKT-1 onto the In Progress column.
    const from = await card(page, 'RKT-1').getByRole('button', { name: 'Move RKT-1' }).boundingBox();
    const to = await page.locator('[data-status="in_progress"]').boundingBox();
    assert.ok(from && to);
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2 + 20, from.y + from.height / 2, { steps: 5 });
    await page.mouse.move(to.x + to.width / 2, to.y + 20, { steps: 15 });
    await page.mouse.up();
    await page.locator('[data-status="in_progress"] [data-key="RKT-1"]').waitFor();

    // Keyboard: lift RKT-3 with Space, move it up above RKT-2, drop it with Space.
    const handle = card(page, 'RKT-3').getByRole('button', { name: 'Move RKT-3' });
    await handle.focus();
    await page.keyboard.press('Space');
    await page.locator('[data-key="RKT-3"] button[aria-pressed="true"]').waitFor();
    // dnd-kit measures the droppables in the frames after the drag starts: only then does an
    // arrow key find a card to move over.
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
    await page.keyboard.press('ArrowUp');
    // dnd-kit announces each step to screen readers: the card is over RKT-2 (id 2) now.
    await page.getByText('was moved over droppable area 2.').waitFor({ state: 'attached' });
    await page.keyboard.press('Space');
    await waitFor(async () => (await keysIn(page, 'todo')) === 'RKT-3,RKT-2', 'the order RKT-3,RKT-2 in todo');

    // The other browser follows both moves without a reload.
    await watcher.page.locator('[data-status="in_progress"] [data-key="RKT-1"]').waitFor();
    await waitFor(async () => (await keysIn(watcher.page, 'todo')) === 'RKT-3,RKT-2', 'the order RKT-3,RKT-2 in todo');
    assert.equal(await columnOf(watcher.page, 'RKT-1'), 'in_progress');
    // And the server has them (a reload shows the same).
    await page.reload();
    await card(page, 'RKT-1').waitFor();
    assert.equal(await columnOf(page, 'RKT-1'), 'in_progress');
  });

  async function runWithContext(page: Page, key: string, context: string, agent?: string): Promise<void> {
    await page.goto(url(`/tasks/${key}`));
    await page.getByRole('heading', { name: new RegExp(key) }).waitFor();
    if (agent !== undefined) await page.locator('select[name="agent"]').selectOption(agent);
    if (context !== '') {
      await page.getByText('Context', { exact: true }).click();
      await page.getByLabel('Context for the agent (JSON)').fill(context);
    }
    await page.getByRole('button', { name: 'Run on agent' }).click();
  }

  it('runs a task on echo with a delay and shows its progress live to the end', async () => {
    const { page } = me;
    await runWithContext(page, 'RKT-1', '{"delay_ms": 6000, "progress_interval_ms": 250}');
    const progress = page.getByRole('progressbar', { name: 'Progress' });
    await progress.waitFor();
    await page.getByTestId('execution-state').filter({ hasText: 'running' }).waitFor();
    const seen = new Set<string>();
    // Progress moves while it runs: several distinct values arrive before the end.
    while (seen.size < 3) seen.add((await progress.getAttribute('value')) ?? '');
    await screenshot(page, 'task-running-desktop');
    // The connection drops mid-run: the browser's stream resumes from its last event id, and
    // the page shows exactly the stored events (output aside), none missing, none twice.
    const before = Number(await progress.getAttribute('value'));
    const lastSeq = async (): Promise<number> => Math.max(0, ...(await page.locator('.events .seq').allInnerTexts()).map((text) => Number(text.slice(1))));
    const seqBefore = await lastSeq();
    world.t.app.http.server.closeAllConnections();
    await waitFor(async () => Number(await progress.getAttribute('value')) > before + 10 || undefined, 'progress moving again after the drop');
    await waitFor(async () => (await lastSeq()) > seqBefore + 2 || undefined, 'events arriving again after the drop');
    const shown = (await page.locator('.events .seq').allInnerTexts()).map((text) => Number(text.slice(1)));
    const execs = (await (await world.t.request('/api/tasks/RKT-1/executions')).json()) as { executions: Array<{ execution_uuid: string }> };
    // A board execution's uuid is its runtime task's id.
    const taskId = execs.executions.at(-1)?.execution_uuid;
    assert.ok(taskId);
    const stored = (await (await world.t.request(`/api/runtime/tasks/${taskId}/events?limit=1000`, { headers: { accept: 'application/json' } })).json()) as Array<{ seq: number; event_type: string }>;
    assert.deepEqual(shown, stored.filter((e) => e.event_type !== 'output' && e.seq <= Math.max(...shown)).map((e) => e.seq));
    await page.getByText('Write the spec', { exact: false }).first().waitFor();
    await page.locator('.executions').getByText('completed').waitFor({ timeout: 20_000 });
  });

  it('answers a task that asks: it is in the Inbox, and answered in place', async () => {
    const { page } = me;
    await runWithContext(page, 'RKT-2', '{"ask": "Which fuel?"}');
    await page.locator('strong', { hasText: 'Which fuel?' }).waitFor();
    // The Inbox lists it; its runtime view asks the same question.
    await page.getByRole('link', { name: /^Inbox/ }).click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await page.locator('.task-list .state-waiting').first().waitFor();
    await screenshot(page, 'inbox-desktop');
    await page.locator('.task-list a').first().click();
    await page.locator('strong', { hasText: 'Which fuel?' }).waitFor();
    await page.getByPlaceholder('Your answer').fill('Kerosene');
    await page.getByRole('button', { name: 'Answer' }).click();
    await page.locator('.result', { hasText: 'Kerosene' }).waitFor({ timeout: 20_000 });
    await page.goto(url('/tasks/RKT-2'));
    await page.locator('.executions').getByText('completed').waitFor({ timeout: 20_000 });
    const result = await world.t.request('/api/tasks/RKT-2/executions');
    const executions = ((await result.json()) as { executions: { response: string | null }[] }).executions;
    assert.match(executions.at(-1)?.response ?? '', /Kerosene/);
  });

  it('cancels a running task', async () => {
    const { page } = me;
    await runWithContext(page, 'RKT-3', '{"delay_ms": 60000}');
    await page.getByTestId('execution-state').filter({ hasText: 'running' }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('.executions').getByText('cancelled').waitFor({ timeout: 20_000 });
  });

  it("shows the diff of a command agent's work in the task's worktree", async () => {
    const { page } = me;
    await page.goto(url('/projects/RKT'));
    await page.getByPlaceholder('Add a task…').fill('Write notes');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await card(page, 'RKT-4').waitFor();
    await page.goto(url('/tasks/RKT-4'));
    const agent = page.locator('select[name="agent"]');
    await agent.locator('option', { hasText: 'editor' }).waitFor({ state: 'attached' });
    await agent.selectOption('editor');
    await page.getByRole('button', { name: 'Run on agent' }).click();
    await page.locator('.executions').getByText('completed').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Show the diff' }).click();
    await page.getByText('task/rkt-4').waitFor();
    await page.locator('.patch .add').first().waitFor();
    assert.match(await page.locator('.patch').innerText(), /\+- RKT-4|\+RKT-4|Write notes/);
    await screenshot(page, 'task-diff-desktop');
  });

  it('shows all of it in the audit log and verifies the chain', async () => {
    const { page } = me;
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.locator('table.audit tbody tr').first().waitFor();
    await page.getByLabel('Event type').selectOption('task.submitted');
    await page.locator('table.audit tbody tr', { hasText: 'task.submitted' }).first().waitFor();
    // Four executions ran in this journey: each one's submit is in the log.
    await waitFor(async () => (await page.locator('table.audit tbody tr', { hasText: 'task.submitted' }).count()) >= 4, 'the four submits in the audit log');
    await page.getByLabel('Event type').selectOption('resource.modified');
    await page.locator('table.audit tbody tr', { hasText: 'board_task.move' }).first().waitFor();
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await page.getByRole('status').filter({ hasText: 'The chain is intact' }).waitFor();
    await screenshot(page, 'audit-desktop');
  });

  it('hides edit controls from a viewer and shows a guest the API refusal', async () => {
    // The admin makes the viewer on the Admin page and asks why she may not change the board.
    const { page } = me;
    await page.getByRole('link', { name: 'Admin', exact: true }).click();
    const form = page.getByRole('form', { name: 'New user' });
    await form.getByLabel('Username').fill('vera');
    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('cell', { name: 'vera' }).waitFor();
    const explain = page.getByRole('form', { name: 'Explain' });
    await explain.getByLabel('User (id or name)').fill('vera');
    await explain.getByLabel('Permission').selectOption('project:write');
    await explain.getByRole('button', { name: 'Explain' }).click();
    await page.getByRole('status').filter({ hasText: 'DENIED' }).waitFor();
    // A single-permission grant given and taken back on the same page changes explain's answer.
    const vera = async () => ((await (await world.t.request('/api/users')).json()) as { users: Array<{ username: string; grants: string[] }> }).users.find((u) => u.username === 'vera');
    await page.getByLabel('Grant a permission to vera').selectOption('project:write');
    await page.getByRole('button', { name: 'project:write ×' }).waitFor();
    assert.deepEqual((await vera())?.grants, ['project:write']);
    await explain.getByRole('button', { name: 'Explain' }).click();
    await page.getByRole('status').filter({ hasText: 'ALLOWED by grant' }).waitFor();
    await page.getByRole('button', { name: 'project:write ×' }).click();
    await page.getByRole('button', { name: 'project:write ×' }).waitFor({ state: 'detached' });
    assert.deepEqual((await vera())?.grants, []);
    await explain.getByRole('button', { name: 'Explain' }).click();
    await page.getByRole('status').filter({ hasText: 'DENIED' }).waitFor();
    await screenshot(page, 'admin-desktop');
    const made = await world.t.request('/api/users', { method: 'POST', body: JSON.stringify({ username: 'gus', password: PASSWORD, roles: ['guest'] }) });
    assert.equal(made.status, 201);
    const viewer = await openPage(browser);
    pages.push(viewer);
    await signInWithPassword(viewer.page, 'vera', PASSWORD);
    assert.equal(await viewer.page.getByRole('button', { name: 'New project' }).count(), 0);
    await viewer.page.goto(url('/projects/RKT'));
    await card(viewer.page, 'RKT-1').waitFor();
    assert.equal(await viewer.page.getByPlaceholder('Add a task…').count(), 0, 'no inline creation');
    await viewer.page.getByText('changing it needs project:write').waitFor();
    await viewer.page.goto(url('/tasks/RKT-1'));
    await viewer.page.getByRole('heading', { name: /RKT-1/ }).waitFor();
    assert.equal(await viewer.page.getByRole('button', { name: 'Run on agent' }).count(), 0);
    // Without admin:users she still changes her own password; a wrong current one is refused.
    await viewer.page.getByRole('link', { name: 'vera', exact: true }).click();
    await viewer.page.getByLabel('Current password').fill('not-Her-password-1');
    await viewer.page.getByLabel('New password').fill(VERA_PASSWORD);
    await viewer.page.getByRole('button', { name: 'Change password' }).click();
    await viewer.page.getByRole('alert').filter({ hasText: 'current password is missing or wrong' }).waitFor();
    await viewer.page.getByLabel('Current password').fill(PASSWORD);
    await viewer.page.getByLabel('New password').fill(VERA_PASSWORD);
    await viewer.page.getByRole('button', { name: 'Change password' }).click();
    await viewer.page.getByRole('status').filter({ hasText: 'Password saved' }).waitFor();
    await viewer.page.getByRole('button', { name: 'Sign out' }).click();
    await signInWithPassword(viewer.page, 'vera', VERA_PASSWORD);

    const guest = await openPage(browser);
    guestPage = guest;
    await signInWithPassword(guest.page, 'gus', PASSWORD);
    await guest.page.getByRole('alert').filter({ hasText: 'Not allowed' }).waitFor();
    await guest.page.goto(url('/projects/RKT'));
    await guest.page.getByRole('alert').filter({ hasText: 'Not allowed' }).waitFor();
  });

  it('registers the browser as a device: approved, bound to each sign-in, and refused once revoked', async () => {
    const made = await world.t.request('/api/users', { method: 'POST', body: JSON.stringify({ username: 'devon', password: PASSWORD, roles: ['developer'] }) });
    assert.equal(made.status, 201);
    const w = await openPage(browser);
    devicePage = w;
    const { page } = w;
    await signInWithPassword(page, 'devon', PASSWORD);
    await page.getByRole('link', { name: 'devon', exact: true }).click();
    await page.getByRole('button', { name: 'Register this browser' }).click();
    await page.getByText('This browser is registered as device').waitFor();
    await page.getByText('Chrome on Linux').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0, 'approving needs admin:users');
    // The admin approves it on the Admin page, which lists every user's devices.
    await me.page.goto(url('/admin'));
    const everyDevice = me.page.getByRole('list', { name: 'Every device' });
    await everyDevice.getByText('of devon').waitFor();
    await everyDevice.getByRole('button', { name: 'Approve Chrome on Linux' }).click();
    await everyDevice.getByText('trusted').waitFor();
    const all = (await (await world.t.request('/api/devices?all=true')).json()) as { devices: Array<{ trust: string; key_fingerprint: string | null }> };
    assert.deepEqual(all.devices.map((d) => d.trust), ['trusted']);
    assert.ok(all.devices[0]?.key_fingerprint, 'registered with its public key');
    // Signed in again, the session is bound to the device and carries its trust.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInWithPassword(page, 'devon', PASSWORD);
    await page.getByRole('link', { name: 'devon', exact: true }).click();
    await page.getByText(/This session is bound to this browser's device/).waitFor();
    await page.getByLabel('This browser').getByText('trusted').waitFor();
    await screenshot(page, 'me-device-desktop');
    // Revoked, its sessions end at once; a sign-in with its key is refused until the key is forgotten.
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
    await page.getByLabel('Username').fill('devon');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'revoked' }).waitFor();
    await page.getByRole('button', { name: "Forget this browser's device key" }).click();
    await page.getByRole('button', { name: "Forget this browser's device key" }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // Back on the page the session ended on, as a browser with no device.
    await page.getByRole('heading', { name: 'devon' }).waitFor();
    await page.getByRole('button', { name: 'Register this browser' }).waitFor();
  });

  it('creates, edits and deletes a resource policy on the Admin page, and explain follows it', async () => {
    const { page } = me;
    const projects = (await (await world.t.request('/api/projects')).json()) as Array<{ id: number; key: string }>;
    const rkt = projects.find((p) => p.key === 'RKT');
    assert.ok(rkt);
    await page.getByRole('link', { name: 'Admin', exact: true }).click();
    await page.getByText('No policies').waitFor();
    const create = page.getByRole('form', { name: 'New policy' });
    await create.getByLabel('Id', { exact: true }).fill('no-vera');
    await create.getByLabel('Resource type').selectOption('project');
    await create.getByLabel('Resource id', { exact: true }).fill(String(rkt.id));
    await create.getByLabel('Applies to permissions').fill('project:read');
    await create.getByLabel('Always denied users').fill('vera');
    await create.getByLabel('Description').fill('Vera stays off RKT');
    await create.getByRole('button', { name: 'Create policy' }).click();
    await page.getByRole('cell', { name: 'not vera' }).waitFor();
    await screenshot(page, 'admin-policies-desktop');
    const explain = page.getByRole('form', { name: 'Explain' });
    const ask = async (): Promise<string> => {
      await explain.getByLabel('User (id or name)').fill('vera');
      await explain.getByLabel('Permission').selectOption('project:read');
      await explain.getByLabel('Resource').fill(`project:${rkt.id}`);
      await explain.getByRole('button', { name: 'Explain' }).click();
      return page.getByRole('status').filter({ hasText: /ALLOWED|DENIED/ }).innerText();
    };
    await waitFor(async () => (await ask()).includes('DENIED by policy:no-vera'), 'explain to name the policy');
    // The policy narrows what the API does, not only what explain says.
    const vera = await world.t.request('/api/web/session', { method: 'POST', token: null, body: JSON.stringify({ username: 'vera', password: VERA_PASSWORD }) });
    const cookie = (vera.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const refused = await world.t.request(`/api/projects/${rkt.id}`, { token: null, headers: { cookie } });
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /AUTH_FORBIDDEN/);

    await page.getByRole('button', { name: 'Edit policy no-vera' }).click();
    const edit = page.getByRole('form', { name: 'Edit policy no-vera' });
    assert.equal(await edit.getByLabel('Always denied users').inputValue(), 'vera', 'the form shows names, not the stored ids');
    await edit.getByLabel('Always denied users').fill('');
    await edit.getByLabel('Only these roles').fill('admin, viewer');
    await edit.getByRole('button', { name: 'Save policy' }).click();
    await page.getByRole('cell', { name: 'roles admin, viewer' }).waitFor();
    await waitFor(async () => (await ask()).includes('ALLOWED'), 'explain to allow after the edit');
    assert.equal((await world.t.request(`/api/projects/${rkt.id}`, { token: null, headers: { cookie } })).status, 200);
    await create.getByLabel('Only these roles').fill('no-such-role');
    await create.getByLabel('Resource id', { exact: true }).fill('*');
    await create.getByRole('button', { name: 'Create policy' }).click();
    await page.getByRole('alert').filter({ hasText: 'allowed_roles' }).waitFor();
    await page.getByRole('button', { name: 'Delete policy no-vera' }).click();
    await page.getByText('No policies').waitFor();
  });

  it('configures agents on the Agents page: a new one, edited, checked and deleted', async () => {
    const { page } = me;
    await page.getByRole('link', { name: 'Agents', exact: true }).click();
    const create = page.getByRole('form', { name: 'New agent' });
    await create.getByLabel('Agent id').fill('quick');
    await create.getByLabel(/^Config/).fill('{"kind": "echo", "name": "Quick echo"}');
    await create.getByRole('button', { name: 'Create agent' }).click();
    await page.getByRole('heading', { name: 'Quick echo' }).waitFor();
    const panel = page.getByRole('region', { name: 'Configure quick' });
    await panel.getByText('defined by database').waitFor();
    await panel.getByLabel(/^Config/).fill('{"kind": "echo", "name": ');
    await panel.getByRole('button', { name: 'Save' }).click();
    await panel.getByRole('alert').filter({ hasText: 'not valid JSON' }).waitFor();
    await panel.getByLabel(/^Config/).fill('{"kind": "echo", "name": "Quicker echo"}');
    await panel.getByRole('button', { name: 'Save' }).click();
    await panel.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await page.getByRole('heading', { name: 'Quicker echo' }).waitFor();
    const stored = (await (await world.t.request('/api/runtime/agents/quick')).json()) as { config: { name: string } };
    assert.equal(stored.config.name, 'Quicker echo');
    await screenshot(page, 'agents-desktop');
    // A built-in agent says where it comes from, has no Delete, and can be checked.
    await page.getByRole('button', { name: 'Configure echo' }).click();
    const builtin = page.getByRole('region', { name: 'Configure echo' });
    await builtin.getByText('defined by builtin').waitFor();
    assert.equal(await builtin.getByRole('button', { name: 'Delete agent' }).count(), 0);
    await builtin.getByRole('button', { name: 'Check now' }).click();
    await builtin.getByText(/checked /).waitFor();
    await page.getByRole('button', { name: 'Configure quick' }).click();
    await page.getByRole('region', { name: 'Configure quick' }).getByRole('button', { name: 'Delete agent' }).click();
    await page.getByRole('heading', { name: 'Quicker echo' }).waitFor({ state: 'detached' });
    assert.equal((await world.t.request('/api/runtime/agents/quick')).status, 404);

    // A skill installed from an uploaded archive, listed, then uninstalled.
    const archive = tarGz([
      { name: 'weather/SKILL.md', data: skillMd('weather', 'required_permissions: [skill:execute]\nentrypoint: [python3, main.py]\n', 'Look up the weather.') },
      { name: 'weather/main.py', data: 'print(1)\n' },
    ]);
    const install = page.getByRole('form', { name: 'Install a skill' });
    await install.getByLabel('Archive (.tar.gz or .zip)').setInputFiles({ name: 'weather.tar.gz', mimeType: 'application/gzip', buffer: Buffer.from(archive) });
    await install.getByRole('button', { name: 'Install' }).click();
    await install.getByRole('status').filter({ hasText: 'Installed weather.' }).waitFor();
    await page.getByText('A test skill called weather').waitFor();
    await page.getByRole('button', { name: 'Uninstall weather' }).click();
    await page.getByText('A test skill called weather').waitFor({ state: 'detached' });
    assert.equal((await world.t.request('/api/runtime/skills/weather')).status, 404);
  });

  it("shows an LLM agent's skill calls with their input and result, and approves one in place", async () => {
    // A server of its own, with an agent on a local OpenAI-compatible server that calls the shout skill.
    const openai = TOOL_PROVIDERS.find((p) => p.wire === 'openai');
    assert.ok(openai);
    const s = await setUp(
      'sqlite',
      openai,
      [call('call_1', 'shout', { text: 'hello' }), { kind: 'text', text: 'Shouted.' }, call('call_2', 'deploy', { target: 'prod' }), { kind: 'text', text: 'Deployed.' }],
      ['shout', 'deploy'],
    );
    const task = await submit(s.t, { agent_type: s.agentType, prompt: 'Shout hello' });
    assert.equal((await waitForState(s.t, task.task_id, ['completed', 'failed'])).state, 'completed');
    // Its own browser context: cookies are per host, not per port.
    const w = await openPage(browser);
    pages.push(w);
    await w.page.goto(`${s.t.url}/runtime/${task.task_id}`);
    await w.page.getByRole('tab', { name: 'API token' }).click();
    await w.page.getByLabel('API token').fill(s.t.adminToken);
    await w.page.getByRole('button', { name: 'Sign in' }).click();
    const item = w.page.locator('.tool-call').filter({ hasText: 'shout' });
    await item.getByText('ok', { exact: true }).waitFor();
    await item.locator('summary').click();
    await item.getByText('"text": "hello"').waitFor();
    await item.getByText('SHOUT:HELLO').waitFor();
    await screenshot(w.page, 'runtime-task-tool-call-desktop');

    // A skill that needs approval: the task waits, and the decision is made in place.
    const deploy = await submit(s.t, { agent_type: s.agentType, prompt: 'Deploy to prod' });
    assert.equal((await waitForState(s.t, deploy.task_id, ['waiting', 'failed'])).state, 'waiting');
    await w.page.goto(`${s.t.url}/runtime/${deploy.task_id}`);
    await w.page.getByText(/deploy/).first().waitFor();
    await w.page.getByRole('button', { name: 'Approve' }).click();
    const deployed = w.page.locator('.tool-call').filter({ hasText: 'deploy' });
    await deployed.getByText('ok', { exact: true }).waitFor();
    await deployed.locator('summary').click();
    await deployed.getByText('deployed prod').waitFor();
    assert.equal((await waitForState(s.t, deploy.task_id, ['completed', 'failed'])).state, 'completed');
  });

  it('sends a user whose session ended back to sign in, and then to where they were', async () => {
    const w = await openPage(browser);
    await signInWithPassword(w.page, 'admin', PASSWORD);
    await w.page.goto(url('/tasks/RKT-1'));
    await w.page.getByRole('heading', { name: /RKT-1/ }).waitFor();
    const cookie = (await w.context.cookies()).find((c) => c.name === 'sb_session');
    assert.ok(cookie);
    recordSecret(cookie.value);
    const mine = (await (await fetch(url('/api/web/session'), { headers: { cookie: `sb_session=${cookie.value}` } })).json()) as { session_id: string };
    // Ended elsewhere (by an admin here; an expiry answers the same 401).
    assert.equal((await world.t.request(`/api/runtime/sessions/${mine.session_id}`, { method: 'DELETE' })).status, 200);
    // Going to the board finds out; the open page may find out first (its live stream is refused).
    const signIn = w.page.getByRole('heading', { name: 'Sign in to Switchboard' });
    // A click still waiting for its link when the sign-in page came would land once the link is back
    // (after signing in again, on the task page) and take the user elsewhere: it gives up first.
    const clicked = w.page.locator('.crumbs').getByRole('link', { name: 'Board' }).click({ timeout: 3000 }).then(() => true, () => false);
    await Promise.race([clicked, signIn.waitFor()]);
    await signIn.waitFor();
    await clicked;
    const next = new URL(w.page.url()).searchParams.get('next');
    assert.ok(next === '/projects/RKT' || next === '/tasks/RKT-1', `sent to sign in with next=${next}`);
    await w.page.getByLabel('Username').fill('admin');
    await w.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await w.page.getByRole('button', { name: 'Sign in' }).click();
    if (next === '/projects/RKT') await card(w.page, 'RKT-1').waitFor();
    else await w.page.getByRole('heading', { name: /RKT-1/ }).waitFor();
    assert.equal(new URL(w.page.url()).pathname, next, 'back where they were');
    await w.context.close();
  });

  it('renders every page at phone and desktop width (screenshots of each), without serious accessibility violations', async () => {
    const phone = await openPage(browser, { width: 375, height: 800 });
    const checker = await openPage(browser, { bypassCSP: true });
    pages.push(phone);
    for (const w of [phone, checker]) await signInWithPassword(w.page, 'admin', PASSWORD);
    const someTask = ((await (await world.t.request('/api/runtime/tasks?limit=1')).json()) as { tasks: Array<{ task_id: string }> }).tasks[0];
    assert.ok(someTask);
    const paths: [string, string][] = [
      ['projects', '/'],
      ['board', '/projects/RKT'],
      ['task', '/tasks/RKT-1'],
      ['me', '/me'],
      ['runtime-tasks', '/runtime'],
      ['runtime-task', `/runtime/${someTask.task_id}`],
      ['inbox', '/inbox'],
      ['audit', '/audit'],
      ['agents', '/agents'],
      ['admin', '/admin'],
    ];
    const found: string[] = [];
    for (const [name, path] of paths) {
      await phone.page.goto(url(path));
      await phone.page.locator('main h1').first().waitFor();
      await screenshot(phone.page, `${name}-phone`);
      const width = Number(await phone.page.evaluate('document.documentElement.scrollWidth'));
      assert.ok(width <= 380, `${name} fits 375 px (scroll width ${width})`);
      await checker.page.goto(url(path));
      await checker.page.locator('main h1').first().waitFor();
      await screenshot(checker.page, `${name}-desktop`);
      for (const v of await seriousA11yViolations(checker.page)) found.push(`${name}: ${v}`);
    }
    await phone.page.getByRole('button', { name: 'Sign out' }).click();
    await phone.page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
    await screenshot(phone.page, 'sign-in-phone');
    await checker.page.getByRole('button', { name: 'Sign out' }).click();
    await checker.page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
    for (const v of await seriousA11yViolations(checker.page)) found.push(`sign-in: ${v}`);
    assert.deepEqual(found, []);
  });

  it('logged no console error or warning on any page', () => {
    // Chromium logs every 4xx answer as a console error; these are the ones the journey asks for
    // (and the streams cut when the server dropped every connection mid-run):
    // the wrong token (401), the project that does not exist (404), the viewer's wrong current
    // password (403), the policy with a role that does not exist (400) and the guest's refusals (403).
    const expected = [/net::ERR_INCOMPLETE_CHUNKED_ENCODING .*\/(tasks\/RKT-1|projects\/RKT)\)$/, /status of 401 .*\/sign-in/, /status of 404 .*\/projects\/NOWHERE/, /status of 403 .*\/me\)$/, /status of 400 .*\/admin\)$/];
    const problems = pages.filter((p) => p !== guestPage).flatMap((p) => p.problems).filter((p) => !expected.some((e) => e.test(p)));
    assert.deepEqual(problems, []);
    assert.ok(guestPage !== undefined && guestPage.problems.every((p) => /status of 403/.test(p)), guestPage?.problems.join('\n'));
    // The revoked device: its session's next requests (401) and the refused sign-in (403 DEVICE_REVOKED).
    assert.ok(devicePage !== undefined && devicePage.problems.every((p) => /status of 40[13]/.test(p)), devicePage?.problems.join('\n'));
  });
});
