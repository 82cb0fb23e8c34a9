/**
 * Ports of skills as tools: what the engine hands an agent (`ctx.tools`), what
 * security implements around it (the tool gate: authorization, approval, audit)
 * and what runs a skill (the skills module). Re-exported by ports.ts.
 */
import type { JsonObject } from '../domain/json.ts';
import type { Task } from '../domain/task.ts';

/** A tool offered to a model: one skill, by a provider-safe name. */
export interface ToolSpec {
  /** The name the model calls it by (letters, digits, `_`, `-`). */
  readonly name: string;
  readonly skillId: string;
  readonly description: string;
  /** The skill's SKILL.md body: how and when to use it. */
  readonly instructions: string;
  /** JSON Schema of the input object. */
  readonly inputSchema: JsonObject;
}

/** What a tool call gives back to the model; a failure is data for the model, not an exception. */
export type ToolResult = { readonly ok: true; readonly output: string } | { readonly ok: false; readonly error: string };

/** The tools of one task run: listed for the model, each call authorized, audited and executed. */
export interface TaskTools {
  list(): Promise<readonly ToolSpec[]>;
  /** Never rejects for a refused or failed call (that is a ToolResult); rejects only when the task is aborted. */
  call(name: string, input: JsonObject): Promise<ToolResult>;
}

/** A tool call waiting for a person: shown as the task's question while it is `waiting`. */
export interface ApprovalRequest {
  readonly approvalId: string;
  readonly skillId: string;
  readonly question: string;
  /** Safe to show and store: names and sizes, never input values. */
  readonly summary: JsonObject;
}

/** How a person decided an approval. */
export interface ApprovalDecision {
  readonly approved: boolean;
  /** Username of who decided. */
  readonly by: string;
  readonly reason: string | null;
}

/** What the engine gives the tool gate for one run. */
export interface ToolRun {
  readonly task: Task;
  /** The agent's `allowedSkills` (`*`: every skill). */
  readonly allowedSkills: readonly string[];
  readonly signal: AbortSignal;
  /** Puts the task in `waiting` until a caller approves or denies (the task holds no slot meanwhile). */
  requestApproval(request: ApprovalRequest): Promise<ApprovalDecision>;
}

/** Builds the tools of a task run (security implements it: authorization, approval, audit, execution). */
export interface ToolGate {
  forTask(run: ToolRun): TaskTools;
}
