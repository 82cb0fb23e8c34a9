/** POST /api/runtime/tasks/{task_id}/approve: decide the approval of a tool call a waiting task asks for. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Runtime } from '../../core/services/runtime.ts';
import { taskIdParams, taskToWire, taskView } from '../../wire/task.ts';
import { errorView } from '../../wire/error.ts';

export const approveBody = z
  .object({
    decision: z.enum(['approve', 'deny']).describe('Run the tool call, or refuse it (the model gets the refusal as a tool error)'),
    reason: z.string().min(1).max(1000).optional().describe('Shown to the model on a denial, and stored in the task events and audit'),
    approval_id: z.uuid().optional().describe('The pending approval (from the waiting event); when given it must match'),
  })
  .strict();

export function registerApprovalRoutes(app: FastifyInstance, runtime: Runtime): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/runtime/tasks/:task_id/approve',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Approve or deny the skill call a waiting task asks approval for; it resumes',
        description:
          'Allowed to callers who can see the task and may run the skill themselves (`skill:execute` on `skill:<id>`). ' +
          'A task waiting for an approval refuses `POST …/answer` (409 TASK_AWAITING_APPROVAL).',
        params: taskIdParams,
        body: approveBody,
        response: { 200: taskView, 400: errorView, 401: errorView, 403: errorView, 404: errorView, 409: errorView },
      },
    },
    async (req) =>
      taskToWire(
        await runtime.approve(req.caller, req.params.task_id, {
          approved: req.body.decision === 'approve',
          ...(req.body.reason !== undefined ? { reason: req.body.reason } : {}),
          ...(req.body.approval_id !== undefined ? { approvalId: req.body.approval_id } : {}),
        }),
      ),
  );
}
