/**
 * Project chats: in a group whose id is a project's `telegram_chat_id`, a linked
 * member's plain message goes to the project's default agent with the project as
 * context, in a runtime session of that member in that chat, so the agent sees the
 * earlier turns as the conversation.
 */
import type { Caller } from '../../core/domain/caller.ts';
import type { Project } from '../../core/domain/project.ts';
import type { TelegramStore } from '../../core/ports/telegram-store.ts';
import type { ProjectService } from '../../core/services/board.ts';
import type { Runtime } from '../../core/services/runtime.ts';
import type { SessionService } from '../../core/services/session-service.ts';

export interface ProjectChatDeps {
  readonly runtime: Runtime;
  readonly projects: ProjectService;
  readonly sessions: SessionService;
  readonly store: TelegramStore;
  readonly now: () => number;
}

/** The project a chat is linked to, among those the caller may read. */
async function projectOfChat(deps: ProjectChatDeps, caller: Caller, chatId: string): Promise<Project | undefined> {
  return (await deps.projects.list(caller)).find((p) => p.telegramChatId === chatId);
}

/** The member's live session in this chat, made when there is none (or it ended). */
async function chatSession(deps: ProjectChatDeps, caller: Caller, chatId: string, telegramUserId: string): Promise<string> {
  const known = await deps.store.findChatSession(chatId, telegramUserId);
  if (known !== undefined) {
    const session = await deps.sessions.get(caller, known).catch(() => undefined);
    if (session !== undefined && session.revokedAt === null && session.expiresAt > deps.now()) return known;
  }
  // The session's bearer secret is never used: the bot acts through the link, naming the session.
  const created = await deps.sessions.create(caller, {});
  await deps.store.saveChatSession(chatId, telegramUserId, created.id);
  return created.id;
}

/** Submits a project chat message; the runtime task id and a label, or a line to reply when it cannot. */
export async function submitChatMessage(
  deps: ProjectChatDeps,
  caller: Caller,
  chat: { readonly id: string; readonly telegramUserId: string },
  text: string,
  /** Names the update: handling it again (after a crash) finds the task instead of submitting another. */
  idempotencyKey: string,
): Promise<{ readonly taskId: string; readonly label: string } | { readonly reply: string } | undefined> {
  const project = await projectOfChat(deps, caller, chat.id);
  if (project === undefined) return undefined;
  if (project.defaultAgentType === null) return { reply: `Project ${project.key} has no default agent; set one to talk to it here.` };
  const sessionId = await chatSession(deps, caller, chat.id, chat.telegramUserId);
  const { task } = await deps.runtime.submit(caller, {
    agentType: project.defaultAgentType,
    prompt: text,
    context: { project: { id: project.id, key: project.key, name: project.name, repo: project.githubRepoUrl } },
    projectId: String(project.id),
    sessionId,
    idempotencyKey,
  });
  return { taskId: task.id, label: `${project.key} on ${project.defaultAgentType}` };
}
