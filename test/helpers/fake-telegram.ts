/**
 * A local server speaking the Bot API wire protocol (POST /bot<token>/<method>, JSON
 * or multipart bodies, `{ok, result}` answers), enough for the production grammY
 * client: getMe, getUpdates (long polling with offsets, as Telegram confirms them),
 * sendMessage, editMessageText, editMessageReplyMarkup, answerCallbackQuery,
 * sendDocument, setWebhook, deleteWebhook. Tests push updates as users would send
 * them and read what the bot sent; faults (429 with retry_after, 500) can be queued.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './wait.ts';

export interface SentMessage {
  readonly chatId: number;
  readonly messageId: number;
  text: string;
  readonly replyMarkup: unknown;
  /** Every text the message had, in order (the first, then each edit). */
  readonly history: string[];
  /** When it was sent, in Unix seconds (as Telegram dates messages). */
  readonly date: number;
  readonly document?: { readonly filename: string; readonly content: string };
}

export interface ApiCall {
  readonly method: string;
  readonly params: Record<string, unknown>;
  readonly at: number;
}

export interface FakeUser {
  readonly id: number;
  readonly username: string;
}

export interface FakeTelegram {
  /** The apiRoot for grammY (TELEGRAM_API_ROOT). */
  readonly url: string;
  readonly token: string;
  readonly calls: ApiCall[];
  readonly messages: SentMessage[];
  /** A user sends a text message (a private chat with the bot unless `chatId`); the update id. */
  send(from: FakeUser, text: string, options?: { chatId?: number; chatType?: 'private' | 'group'; replyTo?: number }): number;
  /** A user presses an inline button of a bot message. */
  press(from: FakeUser, message: SentMessage, data: string): number;
  /** The next `count` calls of `method` fail with this status (429 carries retry_after; 400 the description). */
  fail(method: string, status: 429 | 500 | 400, count?: number, retryAfterS?: number, description?: string): void;
  /** Calls of `method` whose params match are never answered (as if the bot died waiting); until `release`. */
  hold(method: string, match: (params: Record<string, unknown>) => boolean): { release(): void };
  /** Calls of `method` whose params match take effect at once but are answered `ms` later (a slow link). */
  slow(method: string, match: (params: Record<string, unknown>) => boolean, ms: number): void;
  /** Waits for a message the bot sent to a chat matching the test. */
  waitForMessage(chatId: number, test: (m: SentMessage) => boolean, what?: string): Promise<SentMessage>;
  /** An update as it was delivered (by its id). */
  delivered(updateId: number): Record<string, unknown> | undefined;
  /** Updates the bot has not confirmed yet (by its offset). */
  pending(): number;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<{ params: Record<string, unknown>; document?: { filename: string; content: string } }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  const type = req.headers['content-type'] ?? '';
  if (type.includes('multipart/form-data')) {
    // A small multipart reader (undici's is stricter than grammY's encoder needs).
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
    const marker = `--${boundary?.[1] ?? boundary?.[2] ?? ''}`;
    const params: Record<string, unknown> = {};
    let document: { filename: string; content: string } | undefined;
    for (const part of body.toString('latin1').split(marker)) {
      const split = part.indexOf('\r\n\r\n');
      if (split < 0) continue;
      const head = part.slice(0, split);
      const value = Buffer.from(part.slice(split + 4).replace(/\r\n$/, ''), 'latin1').toString('utf8');
      const name = /name="([^"]*)"/.exec(head)?.[1];
      const filename = /filename="?([^";\r\n]*)"?/.exec(head)?.[1];
      if (name === undefined) continue;
      if (filename !== undefined) document = { filename, content: value };
      else {
        try {
          params[name] = JSON.parse(value);
        } catch {
          params[name] = value;
        }
      }
    }
    return document === undefined ? { params } : { params, document };
  }
  return { params: body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Record<string, unknown>) };
}

export async function startFakeTelegram(options: { token?: string } = {}): Promise<FakeTelegram> {
  const token = options.token ?? `123456789:${'A'.repeat(10)}fake${Math.random().toString(36).slice(2, 12)}xyz`;
  const calls: ApiCall[] = [];
  const messages: SentMessage[] = [];
  let updates: { update_id: number; [k: string]: unknown }[] = [];
  let nextUpdateId = 1000;
  const sent = new Map<number, Record<string, unknown>>();
  let nextMessageId = 1;
  const faults: { method: string; status: number; count: number; retryAfterS: number; description: string }[] = [];
  const holds = new Set<{ method: string; match: (params: Record<string, unknown>) => boolean }>();
  const slows: { method: string; match: (params: Record<string, unknown>) => boolean; ms: number }[] = [];
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const w of waiters) w();
    waiters.clear();
  };

  const push = (update: Record<string, unknown>): number => {
    const id = nextUpdateId++;
    updates.push({ update_id: id, ...update });
    sent.set(id, { update_id: id, ...update });
    wake();
    return id;
  };

  const methods: Record<string, (p: Record<string, unknown>, doc?: { filename: string; content: string }) => Promise<unknown> | unknown> = {
    getMe: () => ({ id: 42, is_bot: true, first_name: 'Switchboard', username: 'switchboard_test_bot', can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false }),
    deleteWebhook: () => true,
    setWebhook: () => true,
    async getUpdates(p) {
      const offset = Number(p['offset'] ?? 0);
      // As Telegram does: asking from an offset confirms (forgets) everything before it.
      if (offset > 0) updates = updates.filter((u) => u.update_id >= offset);
      const timeoutMs = Math.min(Number(p['timeout'] ?? 0), 2) * 1000;
      if (updates.length === 0 && timeoutMs > 0) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(() => {
            waiters.delete(done);
            resolve();
          }, timeoutMs);
          waiters.add(done);
        });
      }
      return updates.slice(0, 100);
    },
    sendMessage(p) {
      const m: SentMessage = { chatId: Number(p['chat_id']), messageId: nextMessageId++, text: String(p['text']), replyMarkup: p['reply_markup'] ?? null, history: [String(p['text'])], date: Math.floor(Date.now() / 1000) };
      messages.push(m);
      return { message_id: m.messageId, date: Math.floor(Date.now() / 1000), chat: { id: m.chatId, type: 'private' }, text: m.text };
    },
    sendDocument(p, doc) {
      const m: SentMessage = { chatId: Number(p['chat_id']), messageId: nextMessageId++, text: String(p['caption'] ?? ''), replyMarkup: null, history: [], date: Math.floor(Date.now() / 1000), ...(doc !== undefined ? { document: doc } : {}) };
      messages.push(m);
      return { message_id: m.messageId, date: Math.floor(Date.now() / 1000), chat: { id: m.chatId, type: 'private' } };
    },
    editMessageText(p) {
      const m = messages.find((x) => x.chatId === Number(p['chat_id']) && x.messageId === Number(p['message_id']));
      if (m === undefined) throw Object.assign(new Error('message to edit not found'), { status: 400 });
      m.text = String(p['text']);
      m.history.push(m.text);
      return { message_id: m.messageId, date: 0, chat: { id: m.chatId, type: 'private' }, text: m.text };
    },
    editMessageReplyMarkup: () => true,
    answerCallbackQuery: () => true,
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (m === null || m[1] !== token) return send(401, { ok: false, error_code: 401, description: 'Unauthorized' });
      const method = m[2] ?? '';
      const { params, document } = await readBody(req);
      calls.push({ method, params, at: Date.now() });
      const fault = faults.find((f) => f.method === method && f.count > 0);
      if (fault !== undefined) {
        fault.count -= 1;
        if (fault.status === 429) return send(429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${fault.retryAfterS}`, parameters: { retry_after: fault.retryAfterS } });
        if (fault.status === 400) return send(400, { ok: false, error_code: 400, description: fault.description });
        return send(500, { ok: false, error_code: 500, description: 'Internal Server Error' });
      }
      // A held call gets no answer; its connection ends when the bot's process does.
      if ([...holds].some((h) => h.method === method && h.match(params))) return;
      const impl = methods[method];
      if (impl === undefined) return send(404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
      try {
        const result = await impl(params, document);
        const slowness = slows.find((x) => x.method === method && x.match(params));
        if (slowness !== undefined) await new Promise((r) => setTimeout(r, slowness.ms));
        send(200, { ok: true, result });
      } catch (err) {
        send(400, { ok: false, error_code: 400, description: `Bad Request: ${err instanceof Error ? err.message : String(err)}` });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const chatOf = (from: FakeUser, chatId?: number, chatType?: string) =>
    chatId === undefined || chatType === 'private' || chatType === undefined ? { id: chatId ?? from.id, type: 'private', username: from.username } : { id: chatId, type: chatType, title: 'Group' };

  return {
    url,
    token,
    calls,
    messages,
    send(from, text, o = {}) {
      const entities = text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0]?.length ?? 1 }] : undefined;
      const reply = o.replyTo === undefined ? undefined : messages.find((x) => x.messageId === o.replyTo);
      return push({
        message: {
          message_id: nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          chat: chatOf(from, o.chatId, o.chatType),
          from: { id: from.id, is_bot: false, first_name: from.username, username: from.username },
          text,
          ...(entities !== undefined ? { entities } : {}),
          ...(reply !== undefined ? { reply_to_message: { message_id: reply.messageId, date: reply.date, chat: { id: reply.chatId, type: 'private' }, text: reply.text, from: { id: 42, is_bot: true, first_name: 'Switchboard' } } } : {}),
        },
      });
    },
    press(from, message, data) {
      return push({
        callback_query: {
          id: String(nextUpdateId),
          from: { id: from.id, is_bot: false, first_name: from.username, username: from.username },
          chat_instance: 'ci',
          data,
          message: { message_id: message.messageId, date: message.date, chat: { id: message.chatId, type: message.chatId < 0 ? 'group' : 'private' }, text: message.text, from: { id: 42, is_bot: true, first_name: 'Switchboard' } },
        },
      });
    },
    fail(method, status, count = 1, retryAfterS = 1, description = 'Bad Request') {
      faults.push({ method, status, count, retryAfterS, description });
    },
    hold(method, match) {
      const h = { method, match };
      holds.add(h);
      return { release: () => void holds.delete(h) };
    },
    slow(method, match, ms) {
      slows.push({ method, match, ms });
    },
    waitForMessage(chatId, test, what = 'a bot message') {
      return waitFor(() => messages.find((m) => m.chatId === chatId && test(m)), `${what} in chat ${chatId}`);
    },
    delivered: (id) => sent.get(id),
    pending: () => updates.length,
    async close() {
      wake();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
