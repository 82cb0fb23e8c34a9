/**
 * A session's conversation as chat messages, shared by the LLM agents: each earlier
 * turn becomes a user message (its prompt) and an assistant message (its reply),
 * oldest first, and the task's own prompt comes last. Turns with an empty prompt or
 * reply are left out, so roles always alternate and no message is empty (Anthropic
 * refuses both).
 */
import type { ConversationTurn } from '../../core/domain/session-memory.ts';

/** One chat message in the role/content form all three providers accept. */
export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

export function conversationMessages(history: readonly ConversationTurn[], prompt: string): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const turn of history) {
    if (turn.prompt.trim() === '' || turn.reply.trim() === '') continue;
    out.push({ role: 'user', content: turn.prompt }, { role: 'assistant', content: turn.reply });
  }
  out.push({ role: 'user', content: prompt });
  return out;
}
