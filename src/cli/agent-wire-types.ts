/** Wire shapes of the agent administration and worktree endpoints, as the CLI reads them. */

/** GET/PUT/DELETE /api/runtime/agents/{id} and POST …/check. */
export interface AgentDefinitionView {
  readonly agent_type: string;
  readonly kind: string;
  readonly source: string;
  readonly read_only: boolean;
  readonly available: boolean;
  readonly checked_at: string | null;
  readonly unavailable_reason: string | null;
  readonly config: Record<string, unknown> | null;
  readonly updated_at: string | null;
  readonly updated_by: string | null;
}

/** DELETE /api/runtime/tasks/{id}/worktree. */
export interface WorktreeRemovalView {
  readonly task_id: string;
  readonly branch: string;
  readonly branch_deleted: boolean;
  readonly removed: true;
}
