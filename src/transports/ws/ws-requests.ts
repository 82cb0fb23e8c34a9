/**
 * The task requests of the WebSocket protocol, as runtime calls: the same calls, with
 * the same arguments, as the HTTP routes make, so both answer alike (results are the
 * HTTP response bodies).
 */
import { parseTaskState, type TaskState } from '../../core/domain/task-states.ts';
import type { Caller } from '../../core/domain/caller.ts';
import type { Runtime } from '../../core/services/runtime.ts';
import { taskToWire } from '../../wire/task.ts';
import type { RequestMessage } from '../../wire/ws-protocol.ts';

/** The requests answered by one runtime call (subscriptions are the connection's own). */
export type TaskRequest = Exclude<RequestMessage, { type: 'subscribe' | 'unsubscribe' }>;

export async function runTaskRequest(runtime: Runtime, caller: Caller, m: TaskRequest): Promise<unknown> {
  switch (m.type) {
    case 'submit': {
      const { task, created } = await runtime.submit(caller, {
        agentType: m.agent_type,
        prompt: m.prompt,
        ...(m.context !== undefined ? { context: m.context as never } : {}),
        ...(m.session_id !== undefined ? { sessionId: m.session_id } : {}),
        ...(m.project_id !== undefined ? { projectId: String(m.project_id) } : {}),
        ...(m.task_id !== undefined ? { boardTaskId: String(m.task_id) } : {}),
        ...(m.idempotency_key !== undefined ? { idempotencyKey: m.idempotency_key } : {}),
      });
      // HTTP says this in the Idempotent-Replayed header.
      return { ...taskToWire(task), idempotent_replayed: !created };
    }
    case 'state':
      return taskToWire(await runtime.getTask(caller, m.task_id));
    case 'list': {
      const states = m.state?.split(',').map((s) => parseTaskState(s)).filter((s): s is TaskState => s !== undefined);
      const page = await runtime.listTasks(caller, {
        limit: m.limit,
        ...(states !== undefined ? { states } : {}),
        ...(m.agent_type !== undefined ? { agentType: m.agent_type } : {}),
        ...(m.project_id !== undefined ? { projectId: m.project_id } : {}),
        ...(m.session_id !== undefined ? { sessionId: m.session_id } : {}),
        ...(m.owner_id !== undefined ? { ownerId: m.owner_id } : {}),
        ...(m.cursor !== undefined ? { cursor: m.cursor } : {}),
      });
      return { tasks: page.items.map(taskToWire), next_cursor: page.nextCursor ?? null };
    }
    case 'cancel':
      return taskToWire(await runtime.cancel(caller, m.task_id));
    case 'answer':
      return taskToWire(await runtime.answer(caller, m.task_id, m.answer));
    case 'approve':
      return taskToWire(
        await runtime.approve(caller, m.task_id, {
          approved: m.decision === 'approve',
          ...(m.reason !== undefined ? { reason: m.reason } : {}),
          ...(m.approval_id !== undefined ? { approvalId: m.approval_id } : {}),
        }),
      );
    default: {
      const unreachable: never = m;
      throw new Error(`unhandled request ${String((unreachable as { type: unknown }).type)}`);
    }
  }
}
