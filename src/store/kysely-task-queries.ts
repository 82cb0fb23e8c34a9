/** The read side of the task store: lookups, listings, event replay, audit reads. */
import type { Kysely } from 'kysely';
import { TaskStates } from '../core/domain/task-states.ts';
import { LEASED_STATES } from '../core/domain/transitions.ts';
import type { AuditStore } from '../core/ports/audit-store.ts';
import type { TaskStore } from '../core/ports/task-store.ts';
import type { AuditRecord } from '../core/domain/audit.ts';
import type { TaskEvent } from '../core/domain/event.ts';
import type { Page } from '../core/domain/page.ts';
import type { Task, TaskFilter } from '../core/domain/task.ts';
import type { Database } from './schema.ts';
import { rowToAudit, rowToEvent, rowToTask } from './rows.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { createKyselyAuditQueries } from './kysely-audit-queries.ts';


type Queries = Pick<TaskStore, 'findOrphans' | 'findTask' | 'listTasks' | 'listEvents' | 'nextRunAfter'> & AuditStore;

export function createKyselyTaskQueries(db: Kysely<Database>): Queries {
  return {
    async findOrphans(now: number, restartedOwner: string | undefined, limit: number) {
      const rows = await db
        .selectFrom('tasks')
        .selectAll()
        .where('state', 'in', [...LEASED_STATES])
        .where((eb) => {
          const expired = eb.or([eb('lease_expires_at', '<', now), eb('lease_expires_at', 'is', null)]);
          return restartedOwner === undefined ? expired : eb.or([expired, eb('lease_owner', '=', restartedOwner)]);
        })
        .limit(limit)
        .execute();
      return rows.map(rowToTask);
    },

    async findTask(id: string): Promise<Task | undefined> {
      const row = await db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : rowToTask(row);
    },

    async listTasks(filter: TaskFilter): Promise<Page<Task>> {
      let q = db.selectFrom('tasks').selectAll();
      if (filter.states !== undefined && filter.states.length > 0) q = q.where('state', 'in', [...filter.states]);
      if (filter.agentType !== undefined) q = q.where('agent_type', '=', filter.agentType);
      if (filter.ownerId !== undefined) q = q.where('owner_id', '=', filter.ownerId);
      if (filter.projectId !== undefined) q = q.where('project_id', '=', filter.projectId);
      if (filter.sessionId !== undefined) q = q.where('session_id', '=', filter.sessionId);
      const cursor = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
      if (cursor !== undefined) {
        q = q.where((eb) =>
          eb.or([
            eb('created_at', '<', cursor.createdAt),
            eb.and([eb('created_at', '=', cursor.createdAt), eb('id', '<', cursor.id)]),
          ]),
        );
      }
      const rows = await q
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit + 1)
        .execute();
      const items = rows.slice(0, filter.limit).map(rowToTask);
      const last = items[items.length - 1];
      return rows.length > filter.limit && last !== undefined
        ? { items, nextCursor: encodeCursor({ createdAt: last.createdAt, id: last.id }) }
        : { items };
    },

    async listEvents(taskId: string, afterSeq: number, limit: number): Promise<readonly TaskEvent[]> {
      const rows = await db
        .selectFrom('task_events')
        .selectAll()
        .where('task_id', '=', taskId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(rowToEvent);
    },

    async nextRunAfter(now: number): Promise<number | undefined> {
      const row = await db
        .selectFrom('tasks')
        .select((eb) => eb.fn.min('run_after').as('next'))
        .where('state', '=', TaskStates.PENDING)
        .where('run_after', '>', now)
        .executeTakeFirst();
      return row?.next === null || row?.next === undefined ? undefined : Number(row.next);
    },

    async auditHead() {
      const head = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
      return { seq: head.seq, hash: head.hash };
    },

    async listAudit(afterSeq: number, limit: number): Promise<readonly AuditRecord[]> {
      const rows = await db
        .selectFrom('audit_log')
        .selectAll()
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(rowToAudit);
    },

    ...createKyselyAuditQueries(db),
  };
}
