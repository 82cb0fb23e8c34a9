/**
 * Follows a runtime task in a chat: one status message edited as the task moves
 * (at most one edit per `editIntervalMs`, the last state always shown), the agent's
 * question as a message to reply to, a skill approval with Approve / Deny buttons,
 * and the result at the end (split, or as a file when long).
 */
import type { Api } from 'grammy';
import { GrammyError, InlineKeyboard, InputFile } from 'grammy';
import type { Caller } from '../../core/domain/caller.ts';
import { isPreview, type TaskEvent } from '../../core/domain/event.ts';
import { shortId, type Task } from '../../core/domain/task.ts';
import { isTerminal } from '../../core/domain/transitions.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { TelegramFollow } from '../../core/domain/telegram.ts';
import type { ClaimHolder, TelegramStore } from '../../core/ports/telegram-store.ts';
import type { Runtime } from '../../core/services/runtime.ts';
import { encodeApproval } from './callback-data.ts';
import { MAX_CHUNKS, MESSAGE_LIMIT, clip, splitText } from './text-chunks.ts';

export interface TaskFollowerDeps {
  readonly api: Api;
  readonly runtime: Runtime;
  readonly store: TelegramStore;
  readonly logger: Logger;
  readonly now: () => number;
  /** Who claims the follows this process makes (see update-claims.ts). */
  readonly holder: ClaimHolder;
}

/** What to follow: the task, in which chat, for whom, under what label. */
export type FollowTarget = Omit<TelegramFollow, 'messageId' | 'chatId'> & { readonly chatId: number };

export interface FollowOptions {
  readonly editIntervalMs: number;
  /** Aborted when the bot stops. */
  readonly signal: AbortSignal;
}

const ICON: Readonly<Record<string, string>> = { pending: '⏳', planning: '🧭', running: '⚙️', waiting: '❓', completed: '✅', failed: '❌', cancelled: '🚫' };

/** The status line of a task (pure). */
export function statusText(label: string, task: Pick<Task, 'state' | 'progress' | 'error'>, message: string | null): string {
  const progress = task.progress !== null && !isTerminal(task.state) ? ` ${Math.round(task.progress)}%` : '';
  const detail = task.state === 'failed' && task.error !== null ? `\n${task.error}` : message !== null && !isTerminal(task.state) ? `\n${message}` : '';
  return clip(`${ICON[task.state] ?? '•'} ${label}: ${task.state}${progress}${detail}`);
}

/** What a `waiting` event says the task waits for. */
export function waitingOf(event: TaskEvent): Task['waiting'] | undefined {
  const question = event.message ?? '';
  const data = event.data ?? {};
  if (data['kind'] === 'approval' && typeof data['approval_id'] === 'string') {
    return { kind: 'approval', question, approvalId: data['approval_id'], skillId: typeof data['skill'] === 'string' ? data['skill'] : '' };
  }
  return question.length > 0 ? { kind: 'question', question } : undefined;
}

/** A task's result as text. */
export function resultText(result: Task['result']): string {
  if (result === null) return '(no result)';
  return typeof result === 'string' ? result : JSON.stringify(result, null, 2);
}

const notModified = (err: unknown): boolean => err instanceof GrammyError && err.error_code === 400 && /message is not modified/i.test(err.description);

export function createTaskFollower(deps: TaskFollowerDeps) {
  const { api } = deps;

  async function sendResult(chatId: number, task: Task): Promise<void> {
    const text = resultText(task.result);
    const chunks = splitText(text);
    if (chunks.length > MAX_CHUNKS) {
      await api.sendDocument(chatId, new InputFile(Buffer.from(text, 'utf8'), `result-${shortId(task.id)}.txt`), { caption: `Result of ${shortId(task.id)} (${text.length} characters)` });
      return;
    }
    for (const chunk of chunks) await api.sendMessage(chatId, chunk);
  }

  /** True when the wait was announced (false: the task no longer says what it waits for). */
  async function announceWait(chatId: number, task: Task): Promise<boolean> {
    const waiting = task.waiting;
    if (waiting === null) return false;
    if (waiting.kind === 'question') {
      const sent = await api.sendMessage(chatId, clip(`❓ ${waiting.question}\n\nReply to this message to answer.`), { reply_markup: { force_reply: true, selective: true } });
      await deps.store.savePrompt({ chatId: String(chatId), messageId: sent.message_id, taskId: task.id, kind: 'question' }, deps.now());
      return true;
    }
    const keyboard = new InlineKeyboard()
      .text('Approve', encodeApproval({ approved: true, taskId: task.id, approvalId: waiting.approvalId }))
      .text('Deny', encodeApproval({ approved: false, taskId: task.id, approvalId: waiting.approvalId }));
    const sent = await api.sendMessage(chatId, clip(`🔐 ${waiting.question}`), { reply_markup: keyboard });
    await deps.store.savePrompt({ chatId: String(chatId), messageId: sent.message_id, taskId: task.id, kind: 'approval' }, deps.now());
    return true;
  }

  /**
   * Posts the status message (or, resuming, takes over `resumeMessageId`) and follows the
   * task until it ends, then posts the result and finishes the follow. Stopped by the
   * signal, the follow stays open for the next boot or another node to carry on.
   */
  async function follow(caller: Caller, target: FollowTarget, options: FollowOptions, resumeMessageId?: number): Promise<void> {
    const { chatId, taskId, label } = target;
    let task = await deps.runtime.getTask(caller, taskId);
    let shown: string;
    let messageId: number;
    let afterSeq = 0;
    let announced = '';
    if (resumeMessageId === undefined) {
      shown = statusText(label, task, null);
      messageId = (await api.sendMessage(chatId, shown)).message_id;
      await deps.store.savePrompt({ chatId: String(chatId), messageId, taskId, kind: 'progress' }, deps.now());
      await deps.store.saveFollow({ ...target, chatId: String(chatId), messageId }, deps.holder, deps.now());
    } else {
      // What the message shows is unknown (the first edit rewrites it); earlier events were shown, a current wait announced.
      shown = '';
      messageId = resumeMessageId;
      afterSeq = task.lastSeq;
    }
    try {
      let lastEdit = deps.now();
      let lastMessage: string | null = null;
      const edit = async (force: boolean): Promise<void> => {
        const next = statusText(label, task, lastMessage);
        if (next === shown || (!force && deps.now() - lastEdit < options.editIntervalMs)) return;
        shown = next;
        lastEdit = deps.now();
        await api.editMessageText(chatId, messageId, next).catch((err: unknown) => {
          // Telegram refuses an edit that changes nothing (e.g. the message was edited to this text already).
          if (!notModified(err)) throw err;
        });
      };
      const stream = await deps.runtime.stream(caller, taskId, { afterSeq, signal: options.signal });
      for await (const item of stream) {
        if (isPreview(item)) continue;
        if (item.message !== null && item.type !== 'output') lastMessage = item.message.slice(0, 500);
        task = { ...task, state: item.state, progress: item.progress ?? task.progress };
        if (item.state === 'waiting' || isTerminal(item.state)) {
          task = await deps.runtime.getTask(caller, taskId);
          // A read that lags the event still learns what the task waits for from the event itself.
          if (item.state === 'waiting' && task.waiting === null && (task.state === 'waiting' || task.lastSeq <= item.seq)) task = { ...task, state: 'waiting', waiting: waitingOf(item) ?? null };
          await edit(true);
          // One announcement per wait: a question or approval is named by its seq.
          if (task.state === 'waiting' && announced !== `${item.seq}` && (await announceWait(chatId, task))) announced = `${item.seq}`;
        } else await edit(false);
      }
      if (options.signal.aborted) return;
      task = await deps.runtime.getTask(caller, taskId);
      await edit(true);
      if (task.state === 'completed') await sendResult(chatId, task);
    } catch (err) {
      // A follow that failed is over (the chat is told); a stopped one is carried on later.
      if (!options.signal.aborted) await deps.store.finishFollow(String(chatId), messageId, deps.now()).catch(() => undefined);
      throw err;
    }
    await deps.store.finishFollow(String(chatId), messageId, deps.now());
  }

  return { follow, limit: MESSAGE_LIMIT };
}

export type TaskFollower = ReturnType<typeof createTaskFollower>;
