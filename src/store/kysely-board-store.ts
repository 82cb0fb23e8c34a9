/**
 * The board over Kysely (both dialects). Every write runs in one transaction with its
 * activity entry and audit records. Ids come from `counters`, a task's number from its
 * project's row: the row lock (PostgreSQL) or the single writer (SQLite) serializes
 * concurrent creations, and a rolled-back one gives its number back, so keys never gap.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { BoardStatuses, type BoardStatus } from '../core/domain/board.ts';
import { endOfColumn, renumberIfCrowded } from './board-positions.ts';
import { SwitchboardError } from '../core/domain/errors.ts';
import type { AuditHasher } from '../core/ports/audit-hasher.ts';
import type { ActivityInput, BoardAudit, BoardStore } from '../core/ports/board-store.ts';
import type { Ids } from '../core/ports/ids.ts';
import { appendAudit } from './audit-append.ts';
import { projectColumns, rowToActivity, rowToBoardTask, rowToExecution, rowToProject } from './board-rows.ts';
import type { BoardTasksTable, Database } from './schema.ts';

type Trx = Transaction<Database>;

/** Rolls a transaction back when its target row is missing, so nothing (no audit record either) is written. */
class Gone extends Error {}

/** The board's listing order: by status column, then position, then id. */
const RANK = sql<number>`case status ${sql.join(
  BoardStatuses.map((s, i) => sql`when ${s} then ${i}`),
  sql` `,
)} else ${BoardStatuses.length} end`;

interface ListCursor {
  readonly rank: number;
  readonly position: number;
  readonly id: number;
}

const encodeListCursor = (c: ListCursor): string => Buffer.from(JSON.stringify([c.rank, c.position, c.id]), 'utf8').toString('base64url');

function decodeListCursor(text: string): ListCursor {
  try {
    const v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 3 && v.every((n) => typeof n === 'number' && Number.isFinite(n))) {
      return { rank: v[0] as number, position: v[1] as number, id: v[2] as number };
    }
  } catch {
    // not one of ours
  }
  throw new SwitchboardError('VALIDATION_FAILED', 'The cursor is not valid', { field: 'cursor' });
}

export function createKyselyBoardStore(deps: {
  readonly db: Kysely<Database>;
  readonly isPg: boolean;
  readonly ids: Ids;
  readonly hashAudit: AuditHasher;
  /** Tells other nodes (in the transaction, so only on commit) that a project's board changed. */
  readonly notifyBoard?: (trx: Transaction<Database>, projectId: number) => Promise<void>;
}): BoardStore {
  const { db } = deps;

  const write = <T>(audit: BoardAudit | undefined, work: (trx: Trx) => Promise<T>): Promise<T | undefined> =>
    db
      .transaction()
      .execute(async (trx) => {
        const out = await work(trx);
        if (audit !== undefined) await appendAudit(trx, deps, audit.records, audit.now);
        return out;
      })
      .catch((err: unknown) => {
        if (err instanceof Gone) return undefined;
        throw err;
      });

  async function nextId(trx: Trx, name: string): Promise<number> {
    await trx.insertInto('counters').values({ name, value: 0 }).onConflict((oc) => oc.column('name').doNothing()).execute();
    const row = await trx
      .updateTable('counters')
      .set({ value: sql`value + 1` })
      .where('name', '=', name)
      .returning('value')
      .executeTakeFirstOrThrow();
    return Number(row.value);
  }

  async function addActivity(trx: Trx, projectId: number, task: { id: number; key: string } | null, activity: ActivityInput, now: number): Promise<void> {
    await trx
      .insertInto('board_activity')
      .values({
        id: await nextId(trx, 'board_activity'),
        project_id: projectId,
        board_task_id: task?.id ?? null,
        task_key: task?.key ?? null,
        kind: activity.kind,
        actor_id: activity.actorId,
        details: JSON.stringify(activity.details),
        created_at: now,
      })
      .execute();
    // Every board change writes activity: this one place tells the other nodes.
    await deps.notifyBoard?.(trx, projectId);
  }

  const taskRow = (q: Kysely<Database> | Trx, id: number) => q.selectFrom('board_tasks').selectAll().where('id', '=', id).executeTakeFirst();

  return {
    async createProject(project, audit) {
      return write(undefined, async (trx) => {
        if ((await trx.selectFrom('projects').select('id').where('key', '=', project.key).executeTakeFirst()) !== undefined) throw new Gone();
        const id = await nextId(trx, 'projects');
        await trx
          .insertInto('projects')
          .values({ ...projectColumns(project), id, name: project.name, key: project.key, status: project.status, created_by: project.createdBy, next_task_number: 1, created_at: audit.now, updated_at: audit.now })
          .execute();
        const created = rowToProject(await trx.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
        await appendAudit(trx, deps, audit.records(created), audit.now);
        return created;
      }).catch(async (err: unknown) => {
        // Two creations of one key at once: the unique index refuses the second.
        if ((await db.selectFrom('projects').select('id').where('key', '=', project.key).executeTakeFirst()) !== undefined) return undefined;
        throw err;
      });
    },

    async getProject(id) {
      const row = await db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : rowToProject(row);
    },

    async findProjectByKey(key) {
      const row = await db.selectFrom('projects').selectAll().where('key', '=', key).executeTakeFirst();
      return row === undefined ? undefined : rowToProject(row);
    },

    async listProjects() {
      return (await db.selectFrom('projects').selectAll().orderBy('id').execute()).map(rowToProject);
    },

    async updateProject(id, fields, audit) {
      try {
        return await write(audit, async (trx) => {
          if (fields.key !== undefined) {
            const holder = await trx.selectFrom('projects').select('id').where('key', '=', fields.key).executeTakeFirst();
            if (holder !== undefined && Number(holder.id) !== id) return 'key_taken' as const;
          }
          const res = await trx.updateTable('projects').set({ ...projectColumns(fields), updated_at: audit.now }).where('id', '=', id).executeTakeFirst();
          if (Number(res.numUpdatedRows) === 0) throw new Gone();
          if (fields.key !== undefined) {
            // Keys of the project's tasks follow its key: `<KEY>-<n>`.
            await trx.updateTable('board_tasks').set({ key: sql`${fields.key} || '-' || cast(number as text)` }).where('project_id', '=', id).execute();
          }
          return rowToProject(await trx.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
        });
      } catch (err) {
        if (fields.key !== undefined && (await db.selectFrom('projects').select('id').where('key', '=', fields.key).executeTakeFirst()) !== undefined) return 'key_taken';
        throw err;
      }
    },

    async deleteProject(id, audit) {
      return write(audit, async (trx) => {
        const row = await trx.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
        if (row === undefined) throw new Gone();
        const tasks = trx.selectFrom('board_tasks').select('id').where('project_id', '=', id);
        await trx.deleteFrom('board_executions').where('board_task_id', 'in', tasks).execute();
        await trx.deleteFrom('board_tasks').where('project_id', '=', id).execute();
        await trx.deleteFrom('board_activity').where('project_id', '=', id).execute();
        await trx.deleteFrom('projects').where('id', '=', id).execute();
        return rowToProject(row);
      });
    },

    async countTasks(projectId) {
      const row = await db.selectFrom('board_tasks').select((eb) => eb.fn.countAll().as('n')).where('project_id', '=', projectId).executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async createTask(task, activity, audit) {
      const created = await write(undefined, async (trx) => {
        const counter = await trx
          .updateTable('projects')
          .set({ next_task_number: sql`next_task_number + 1` })
          .where('id', '=', task.projectId)
          .returning(['key', 'next_task_number'])
          .executeTakeFirst();
        if (counter === undefined) throw new SwitchboardError('PROJECT_NOT_FOUND', undefined, { project_id: task.projectId });
        const number = Number(counter.next_task_number) - 1;
        const row: BoardTasksTable = {
          id: await nextId(trx, 'board_tasks'),
          project_id: task.projectId,
          number,
          key: `${counter.key}-${number}`,
          title: task.title,
          description: task.description,
          status: task.status,
          priority: task.priority,
          position: await endOfColumn(trx, task.projectId, task.status),
          assigned_agent_type: task.assignedAgentType,
          agent_execution_status: null,
          github_pr_url: null,
          github_pr_number: null,
          github_branch_name: null,
          created_by: task.createdBy,
          created_at: audit.now,
          updated_at: audit.now,
          status_set_at: null,
        };
        await trx.insertInto('board_tasks').values(row).execute();
        const out = rowToBoardTask(row);
        await addActivity(trx, out.projectId, out, activity, audit.now);
        await appendAudit(trx, deps, audit.records(out), audit.now);
        return out;
      });
      if (created === undefined) throw new SwitchboardError('PROJECT_NOT_FOUND', undefined, { project_id: task.projectId });
      return created;
    },

    async getTask(id) {
      const row = await taskRow(db, id);
      return row === undefined ? undefined : rowToBoardTask(row);
    },

    async findTaskByKey(key) {
      const row = await db.selectFrom('board_tasks').selectAll().where('key', '=', key).executeTakeFirst();
      return row === undefined ? undefined : rowToBoardTask(row);
    },

    async listTasks(filter) {
      let q = db.selectFrom('board_tasks').selectAll().select(RANK.as('rank'));
      if (filter.projectId !== undefined) q = q.where('project_id', '=', filter.projectId);
      if (filter.status !== undefined) q = q.where('status', '=', filter.status);
      if (filter.assignedAgentType !== undefined) q = q.where('assigned_agent_type', '=', filter.assignedAgentType);
      if (filter.q !== undefined && filter.q !== '') {
        const like = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        q = q.where((eb) =>
          eb.or([
            eb(sql`lower(title)`, 'like', sql`${like} escape '\\'`),
            eb(sql`lower(coalesce(description, ''))`, 'like', sql`${like} escape '\\'`),
            eb(sql`lower(key)`, 'like', sql`${like} escape '\\'`),
          ]),
        );
      }
      if (filter.cursor !== undefined) {
        const c = decodeListCursor(filter.cursor);
        q = q.where(sql<boolean>`(${RANK} > ${c.rank} or (${RANK} = ${c.rank} and (position > ${c.position} or (position = ${c.position} and id > ${c.id}))))`);
      }
      const rows = await q.orderBy(RANK).orderBy('position').orderBy('id').limit(filter.limit + 1).execute();
      const items = rows.slice(0, filter.limit).map(rowToBoardTask);
      const last = rows[filter.limit - 1];
      return rows.length > filter.limit && last !== undefined
        ? { items, nextCursor: encodeListCursor({ rank: Number(last.rank), position: Number(last.position), id: Number(last.id) }) }
        : { items };
    },

    async updateTask(id, patch, activity, audit) {
      return write(audit, async (trx) => {
        const before = await taskRow(trx, id);
        if (before === undefined) throw new Gone();
        const moved = patch.status !== undefined && patch.status !== before.status;
        const position = patch.position ?? (moved && patch.status !== undefined ? await endOfColumn(trx, Number(before.project_id), patch.status) : undefined);
        const set: Partial<BoardTasksTable> = { updated_at: audit.now };
        if (patch.title !== undefined) set.title = patch.title;
        if (patch.description !== undefined) set.description = patch.description;
        if (patch.status !== undefined) set.status = patch.status;
        if (patch.priority !== undefined) set.priority = patch.priority;
        if (patch.assignedAgentType !== undefined) set.assigned_agent_type = patch.assignedAgentType;
        if (position !== undefined) set.position = position;
        if (patch.statusSetAt !== undefined) set.status_set_at = patch.statusSetAt;
        await trx.updateTable('board_tasks').set(set).where('id', '=', id).execute();
        const status = patch.status ?? (before.status as BoardStatus);
        const renumbered = patch.position !== undefined && (await renumberIfCrowded(trx, Number(before.project_id), status, id, patch.position, audit.now));
        const after = renumbered ? rowToBoardTask((await taskRow(trx, id)) ?? ({ ...before, ...set } as BoardTasksTable)) : rowToBoardTask({ ...before, ...set } as BoardTasksTable);
        // A renumbered column says so: a board open elsewhere reloads the column's positions.
        const entry = activity !== undefined && renumbered ? { ...activity, details: { ...activity.details, renumbered: status } } : activity;
        if (entry !== undefined) await addActivity(trx, after.projectId, after, entry, audit.now);
        return after;
      });
    },

    async deleteTask(id, activity, audit) {
      return write(audit, async (trx) => {
        const row = await taskRow(trx, id);
        if (row === undefined) throw new Gone();
        const task = rowToBoardTask(row);
        await trx.deleteFrom('board_executions').where('board_task_id', '=', id).execute();
        await trx.deleteFrom('board_tasks').where('id', '=', id).execute();
        await addActivity(trx, task.projectId, task, activity, audit.now);
        return task;
      });
    },

    async addExecution(execution, activity, audit) {
      const added = await write(audit, async (trx) => {
        const row = await taskRow(trx, execution.boardTaskId);
        if (row === undefined) throw new Gone();
        const id = await nextId(trx, 'board_executions');
        await trx
          .insertInto('board_executions')
          .values({ id, board_task_id: execution.boardTaskId, execution_uuid: execution.executionUuid, agent_type: execution.agentType, prompt: execution.prompt, user_id: execution.userId, session_id: execution.sessionId, started_at: execution.startedAt })
          .execute();
        await trx.updateTable('board_tasks').set({ agent_execution_status: 'pending', updated_at: audit.now }).where('id', '=', execution.boardTaskId).execute();
        const task = rowToBoardTask(row);
        await addActivity(trx, task.projectId, task, activity, audit.now);
        return { ...execution, id };
      });
      if (added === undefined) throw new SwitchboardError('BOARD_TASK_NOT_FOUND', undefined, { task_id: execution.boardTaskId });
      return added;
    },

    async listExecutions(boardTaskId) {
      return (await db.selectFrom('board_executions').selectAll().where('board_task_id', '=', boardTaskId).orderBy('id').execute()).map(rowToExecution);
    },

    async findExecutionByUuid(executionUuid) {
      const row = await db.selectFrom('board_executions').selectAll().where('execution_uuid', '=', executionUuid).executeTakeFirst();
      return row === undefined ? undefined : rowToExecution(row);
    },

    async projectExecutions(projectId) {
      const rows = await db
        .selectFrom('board_executions')
        .innerJoin('board_tasks', 'board_tasks.id', 'board_executions.board_task_id')
        .selectAll('board_executions')
        .where('board_tasks.project_id', '=', projectId)
        .orderBy('board_executions.id')
        .execute();
      return rows.map(rowToExecution);
    },

    async unfinishedExecutions(limit) {
      const latest = db.selectFrom('board_executions').select((eb) => eb.fn.max('id').as('id')).groupBy('board_task_id');
      const rows = await db
        .selectFrom('board_executions')
        .innerJoin('board_tasks', 'board_tasks.id', 'board_executions.board_task_id')
        .selectAll('board_executions')
        .where('board_executions.id', 'in', latest)
        .where('board_tasks.agent_execution_status', 'in', ['pending', 'planning', 'running', 'waiting'])
        .orderBy('board_executions.id')
        .limit(limit)
        .execute();
      return rows.map(rowToExecution);
    },

    async recordExecutionState(boardTaskId, state, move, activity, now) {
      return write(undefined, async (trx) => {
        const before = await taskRow(trx, boardTaskId);
        if (before === undefined) throw new Gone();
        const set: Partial<BoardTasksTable> = { agent_execution_status: state, updated_at: now };
        const personMoved = before.status_set_at !== null && Number(before.status_set_at) > (move?.unlessMovedAfter ?? Number.MAX_SAFE_INTEGER);
        if (move !== undefined && !personMoved && move.status !== before.status) {
          set.status = move.status;
          set.position = await endOfColumn(trx, Number(before.project_id), move.status);
        }
        await trx.updateTable('board_tasks').set(set).where('id', '=', boardTaskId).execute();
        const after = rowToBoardTask({ ...before, ...set } as BoardTasksTable);
        await addActivity(trx, after.projectId, after, { ...activity, details: { ...activity.details, ...(set.status !== undefined ? { status: set.status } : {}) } }, now);
        return after;
      });
    },

    async setBranch(boardTaskId, branch, now) {
      await db.updateTable('board_tasks').set({ github_branch_name: branch, updated_at: now }).where('id', '=', boardTaskId).where('github_branch_name', 'is', null).execute();
    },

    async setPullRequest(boardTaskId, pr, activity, audit) {
      return write(audit, async (trx) => {
        const before = await taskRow(trx, boardTaskId);
        if (before === undefined) throw new Gone();
        const set = { github_pr_url: pr.url, github_pr_number: pr.number, github_branch_name: pr.branch, updated_at: audit.now };
        await trx.updateTable('board_tasks').set(set).where('id', '=', boardTaskId).execute();
        const after = rowToBoardTask({ ...before, ...set });
        await addActivity(trx, after.projectId, after, activity, audit.now);
        return after;
      });
    },

    async listActivity(filter) {
      let q = db.selectFrom('board_activity').selectAll().where('project_id', '=', filter.projectId);
      if (filter.boardTaskId !== undefined) q = q.where('board_task_id', '=', filter.boardTaskId);
      if (filter.afterId !== undefined) q = q.where('id', '>', filter.afterId);
      return (await q.orderBy('id').limit(filter.limit).execute()).map(rowToActivity);
    },
  };
}
