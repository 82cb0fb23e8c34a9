/**
 * Checks that every submitted task completed exactly once: lists all tasks after
 * the run and compares with the ids the submits returned.
 */

export interface TaskRow {
  readonly id: string;
  readonly state: string;
  readonly attempt: number;
  /** ms since the epoch (server clock), null while unfinished. */
  readonly finishedAt: number | null;
}

export interface Verification {
  readonly submitted: number;
  readonly completed: number;
  /** Submitted but not completed. */
  readonly lost: number;
  /** Rows listed more than once, or listed tasks nobody submitted. */
  readonly duplicates: number;
  /** Completed tasks that took more than one attempt (ran again). */
  readonly rerun: number;
  /** Tasks in other states, by state. */
  readonly otherStates: Readonly<Record<string, number>>;
  /** Latest finish among `measured` ids (ms since the epoch). */
  readonly lastFinishedAt: number;
}

export async function verifyTasks(
  rows: AsyncIterable<TaskRow>,
  submitted: readonly string[],
  measured: ReadonlySet<string>,
): Promise<Verification> {
  const expected = new Set(submitted);
  const seen = new Set<string>();
  let completed = 0;
  let duplicates = submitted.length - expected.size; // the same id acknowledged twice
  let rerun = 0;
  let lastFinishedAt = 0;
  const otherStates: Record<string, number> = {};
  for await (const row of rows) {
    if (seen.has(row.id) || !expected.has(row.id)) {
      duplicates += 1;
      continue;
    }
    seen.add(row.id);
    if (row.state === 'completed') {
      completed += 1;
      if (row.attempt > 1) rerun += 1;
      if (measured.has(row.id) && row.finishedAt !== null) lastFinishedAt = Math.max(lastFinishedAt, row.finishedAt);
    } else {
      otherStates[row.state] = (otherStates[row.state] ?? 0) + 1;
    }
  }
  return { submitted: submitted.length, completed, lost: expected.size - completed, duplicates, rerun, otherStates, lastFinishedAt };
}
