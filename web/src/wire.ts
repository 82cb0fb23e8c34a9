/** The API's shapes, taken from the server's wire layer (types only: nothing of it is bundled). */
export type { ProjectView } from '../../src/wire/project.ts';
export type { TaskView } from '../../src/wire/task.ts';
export type { EventView } from '../../src/wire/event.ts';
export type { PolicyView } from '../../src/wire/policy.ts';
export type { AgentDefinitionView } from '../../src/wire/agent.ts';
import type { z } from 'zod';
import type { boardTaskView, boardTaskList, executionView, activityView } from '../../src/wire/board.ts';
import type { userView } from '../../src/wire/user.ts';
import type { agentView } from '../../src/wire/agent.ts';
import type { linkCodeView, telegramLinkView } from '../../src/wire/telegram.ts';

export type BoardTaskView = z.infer<typeof boardTaskView>;
export type BoardTaskList = z.infer<typeof boardTaskList>;
export type ExecutionView = z.infer<typeof executionView>;
export type ActivityView = z.infer<typeof activityView>;
export type UserView = z.infer<typeof userView>;
export type AgentView = z.infer<typeof agentView>;
export type LinkCodeView = z.infer<typeof linkCodeView>;
export type TelegramLinkView = z.infer<typeof telegramLinkView>;

export interface WebSession {
  readonly session_id: string | null;
  readonly expires_at: string | null;
  readonly user: UserView | null;
  readonly permissions: readonly string[];
  readonly csrf_token: string | null;
  /** The device the session is bound to, and its trust. */
  readonly device: { readonly device_id: string; readonly trust: string } | null;
}

export const COLUMNS = [
  { status: 'todo', title: 'To Do' },
  { status: 'in_progress', title: 'In Progress' },
  { status: 'in_review', title: 'In Review' },
  { status: 'done', title: 'Done' },
  { status: 'blocked', title: 'Blocked' },
] as const;
export type ColumnStatus = (typeof COLUMNS)[number]['status'];
export type { AuditEventView, AuditVerifyView } from '../../src/wire/audit.ts';
import type { auditPage } from '../../src/wire/audit.ts';
export type AuditPageView = z.infer<typeof auditPage>;
