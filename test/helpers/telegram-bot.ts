/** Starting an app with the Telegram bot pointed at a local Bot API server, and linking users. */
import assert from 'node:assert/strict';
import type { FakeTelegram, FakeUser } from './fake-telegram.ts';
import { recordSecret } from './log-capture.ts';
import type { TestApp } from './test-app.ts';

/**
 * The bot's environment for a test app: the fake's token and address, short polls and edit
 * intervals, and a flood limit that a whole test file's chat stays under.
 */
export function botEnv(tg: FakeTelegram): Record<string, string> {
  recordSecret(tg.token);
  return { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.url, TELEGRAM_POLL_TIMEOUT_S: '1', TELEGRAM_EDIT_INTERVAL_MS: '50', TELEGRAM_CHAT_RATE: '1000' };
}

/** Makes a link code over the API for the token's user. */
export async function linkCode(t: TestApp, token: string): Promise<string> {
  const res = await t.request('/api/telegram/link-codes', { method: 'POST', body: '{}', token });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { code: string }).code;
}


/** A user sends a text; the bot's first answer after it (matching `test`). */
export async function say(tg: FakeTelegram, from: FakeUser, text: string, test: (text: string) => boolean = () => true): Promise<string> {
  const before = tg.messages.length;
  tg.send(from, text);
  const m = await tg.waitForMessage(from.id, (x) => tg.messages.indexOf(x) >= before && test(x.text), `an answer to ${text}`);
  return m.text;
}
