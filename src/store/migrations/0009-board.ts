/**
 * The portal's board: projects, board tasks, executions and activity. Integer ids come
 * from the `counters` table inside the writing transaction (portable across both
 * dialects); a task's number from its project's `next_task_number`, so keys are
 * gap-free and unique even under concurrent creation.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('projects')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('github_repo_url', 'text')
    .addColumn('github_repo_owner', 'text')
    .addColumn('github_repo_name', 'text')
    .addColumn('telegram_chat_id', 'text')
    .addColumn('repo_path', 'text')
    .addColumn('default_branch', 'text')
    .addColumn('default_agent_type', 'text')
    .addColumn('next_task_number', 'bigint', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('board_tasks')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('project_id', 'bigint', (c) => c.notNull())
    .addColumn('number', 'bigint', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('position', 'double precision', (c) => c.notNull())
    .addColumn('assigned_agent_type', 'text')
    .addColumn('agent_execution_status', 'text')
    .addColumn('github_pr_url', 'text')
    .addColumn('github_pr_number', 'bigint')
    .addColumn('github_branch_name', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('status_set_at', 'bigint')
    .addUniqueConstraint('board_tasks_project_number', ['project_id', 'number'])
    .execute();
  await db.schema.createIndex('board_tasks_column').on('board_tasks').columns(['project_id', 'status', 'position']).execute();

  await db.schema
    .createTable('board_executions')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('board_task_id', 'bigint', (c) => c.notNull())
    .addColumn('execution_uuid', 'text', (c) => c.notNull().unique())
    .addColumn('agent_type', 'text', (c) => c.notNull())
    .addColumn('prompt', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('board_executions_task').on('board_executions').columns(['board_task_id', 'id']).execute();

  await db.schema
    .createTable('board_activity')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('project_id', 'bigint', (c) => c.notNull())
    .addColumn('board_task_id', 'bigint')
    .addColumn('task_key', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('board_activity_project').on('board_activity').columns(['project_id', 'id']).execute();
}
