/**
 * Approvals of tool calls: the task waits (as for a question) until a caller with
 * permission approves or denies. The pending approval is marked in the task's
 * metadata together with the exact question text, so a plain `answer` can tell it
 * must not resume it, and a marker left behind by a shutdown never matches again.
 */
import { TaskStates } from '../domain/task-states.ts';
import type { ApprovalDecision, ApprovalRequest } from '../ports/tool-gate.ts';
import type { TaskEvent } from '../domain/event.ts';
import type { JsonObject } from '../domain/json.ts';
import type { Task } from '../domain/task.ts';
import type { RunningTask } from './running-task.ts';
import { waitOutsideSlot, type TaskWaitDeps, type WaitingChange } from './task-wait.ts';

/** The metadata key of a pending approval. */
export const PENDING_APPROVAL_KEY = 'pending_approval';

/** A pending approval as the engine reads it off a task. */
export interface PendingApproval {
  readonly approvalId: string;
  readonly skillId: string;
  readonly question: string;
}

/** The approval the task waits for now, if it waits for one. */
export function pendingApproval(task: Task): PendingApproval | undefined {
  if (task.state !== TaskStates.WAITING) return undefined;
  const m = task.metadata[PENDING_APPROVAL_KEY];
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return undefined;
  const { approval_id: approvalId, skill_id: skillId, question } = m;
  if (typeof approvalId !== 'string' || typeof skillId !== 'string' || typeof question !== 'string') return undefined;
  return question === task.question ? { approvalId, skillId, question } : undefined;
}

/** The task's metadata without the approval marker (what a resumed task keeps). */
export function withoutApproval(metadata: JsonObject): JsonObject {
  const rest: JsonObject = { ...metadata };
  delete rest[PENDING_APPROVAL_KEY];
  return rest;
}

/** The event data of a decided approval (stored with the `waiting → running` event). */
export function approvalEventData(approvalId: string, skillId: string, decision: ApprovalDecision): JsonObject {
  return {
    approval: {
      approval_id: approvalId,
      skill: skillId,
      decision: decision.approved ? 'approve' : 'deny',
      by: decision.by,
      reason: decision.reason,
    },
  };
}

/** Reads a decided approval back from its event (a waiting runner on another node resumes from it). */
export function approvalFromEvent(e: TaskEvent): { approvalId: string; decision: ApprovalDecision } | undefined {
  const a = e.data?.['approval'];
  if (a === null || a === undefined || typeof a !== 'object' || Array.isArray(a)) return undefined;
  const { approval_id: approvalId, decision, by, reason } = a;
  if (typeof approvalId !== 'string' || typeof by !== 'string' || (decision !== 'approve' && decision !== 'deny')) return undefined;
  return { approvalId, decision: { approved: decision === 'approve', by, reason: typeof reason === 'string' ? reason : null } };
}

/** Builds the `requestApproval` of one run. Calls must not overlap (the tool loop calls one at a time). */
export function approvalRequester(
  deps: TaskWaitDeps,
  task: Task,
  running: RunningTask,
): (request: ApprovalRequest) => Promise<ApprovalDecision> {
  return async (request) => {
    running.controller.signal.throwIfAborted();
    const marker: JsonObject = { approval_id: request.approvalId, skill_id: request.skillId, question: request.question };
    const change: WaitingChange = {
      set: { question: request.question, metadata: { ...task.metadata, [PENDING_APPROVAL_KEY]: marker } },
      event: {
        type: 'state_change',
        message: request.question,
        data: {
          question: request.question,
          kind: 'approval',
          approval_id: request.approvalId,
          skill: request.skillId,
          input: request.summary,
        },
      },
    };
    return waitOutsideSlot<ApprovalDecision>(deps, task.id, running, change, (resolve) => {
      running.approvalWaiter = (id, decision) => {
        if (id === request.approvalId) resolve(decision);
      };
      // The engine refuses plain answers to approvals; should one slip through a race, the call is denied, not run.
      running.answerWaiter = () => resolve({ approved: false, by: 'system', reason: 'resumed by an answer, not an approval' });
      return () => {
        running.approvalWaiter = undefined;
        running.answerWaiter = undefined;
      };
    });
  };
}
