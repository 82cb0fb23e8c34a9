/** Where cards sit in a board column: appended at the end, and renumbered when moves leave no room between two. */
import type { Transaction } from 'kysely';
import { MIN_POSITION_GAP, POSITION_STEP, type BoardStatus } from '../core/domain/board.ts';
import type { Database } from './schema.ts';

type Trx = Transaction<Database>;

/**
 * Positions between two cards halve the gap each time; once a card lands closer than
 * MIN_POSITION_GAP to another, the column is renumbered (same order, POSITION_STEP
 * apart). That is the one write of a whole column, and rare.
 */
export async function renumberIfCrowded(trx: Trx, projectId: number, status: BoardStatus, id: number, position: number, now: number): Promise<boolean> {
  const near = await trx
    .selectFrom('board_tasks')
    .select('id')
    .where('project_id', '=', projectId)
    .where('status', '=', status)
    .where('id', '!=', id)
    .where('position', '>', position - MIN_POSITION_GAP)
    .where('position', '<', position + MIN_POSITION_GAP)
    .limit(1)
    .executeTakeFirst();
  if (near === undefined) return false;
  const column = await trx.selectFrom('board_tasks').select('id').where('project_id', '=', projectId).where('status', '=', status).orderBy('position').orderBy('id').execute();
  for (const [i, row] of column.entries()) {
    await trx.updateTable('board_tasks').set({ position: (i + 1) * POSITION_STEP, updated_at: now }).where('id', '=', row.id).execute();
  }
  return true;
}

/** The position after the last card of a column. */
export async function endOfColumn(trx: Trx, projectId: number, status: BoardStatus): Promise<number> {
  const row = await trx
    .selectFrom('board_tasks')
    .select((eb) => eb.fn.max('position').as('max'))
    .where('project_id', '=', projectId)
    .where('status', '=', status)
    .executeTakeFirst();
  const max = row?.max;
  return (max === null || max === undefined ? 0 : Number(max)) + POSITION_STEP;
}
