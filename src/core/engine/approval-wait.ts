/**
 * Approvals of tool calls: the task waits (as for a question) until a caller with
 * permission approves or denies. The task's waiting reason names the approval, so a
 * plain `answer` can tell it must not resume it; any move out of `waiting` clears it.
 */
import type { ApprovalDecision, ApprovalRequest } from '../ports/tool-gate.ts';
import type { TaskEvent } from '../domain/event.ts';
import type { JsonObject } from '../domain/json.ts';
import type { Task } from '../domain/task.ts';
import type { RunningTask } from './running-task.ts';
import { waitOutsideSlot, type TaskWaitDeps, type WaitingChange } from './task-wait.ts';

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
    const change: WaitingChange = {
      set: { waiting: { kind: 'approval', question: request.question, approvalId: request.approvalId, skillId: request.skillId } },
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
