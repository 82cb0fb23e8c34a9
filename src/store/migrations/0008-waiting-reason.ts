/**
 * A typed waiting reason: the approval a task waits for moves out of its metadata
 * (`metadata.pending_approval`) into a column of its own. Markers of tasks that no
 * longer wait for that approval are dropped, as the engine ignored them.
 */
import { sql, type Kysely } from 'kysely';

interface LegacyRow {
  id: string;
  state: string;
  question: string | null;
  metadata: string;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tasks').addColumn('waiting_approval', 'text').execute();
  const rows = await sql<LegacyRow>`select id, state, question, metadata from tasks where metadata like ${'%"pending_approval"%'}`.execute(db);
  for (const row of rows.rows) {
    const metadata = JSON.parse(row.metadata) as Record<string, unknown>;
    const marker = metadata['pending_approval'] as Record<string, unknown> | undefined;
    delete metadata['pending_approval'];
    const current =
      row.state === 'waiting' &&
      marker !== undefined &&
      typeof marker['approval_id'] === 'string' &&
      typeof marker['skill_id'] === 'string' &&
      marker['question'] === row.question;
    const approval = current ? JSON.stringify({ approval_id: marker['approval_id'], skill_id: marker['skill_id'] }) : null;
    await sql`update tasks set metadata = ${JSON.stringify(metadata)}, waiting_approval = ${approval} where id = ${row.id}`.execute(db);
  }
}
