/** The BoardLinks port: may this caller tie a runtime task to that board task? */
import type { Caller } from '../domain/caller.ts';
import type { SubmitInput } from '../domain/task.ts';

/**
 * Resolves when `input.boardTaskId` (if any) names a board task of `input.projectId`
 * (if given) that the caller may change; otherwise throws (audited). A runtime task
 * tied to a board task runs in that task's worktree, so the tie must be earned.
 */
export type BoardLinkCheck = (caller: Caller, input: SubmitInput) => Promise<void>;
