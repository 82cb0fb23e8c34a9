/** Following `next_cursor` across pages of a listing, for `--all`. */

/**
 * Fetches the first page from `cursor`, and with `all` every following one.
 * A cursor seen before would loop forever, so it ends the walk instead.
 */
export async function collectPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ items: readonly T[]; next: string | null }>,
  cursor: string | undefined,
  all: boolean,
): Promise<{ items: T[]; next: string | null }> {
  const items: T[] = [];
  const seen = new Set<string>();
  let next: string | null;
  do {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    next = page.next;
    if (next !== null && seen.has(next)) next = null;
    if (next !== null) seen.add(next);
    cursor = next ?? undefined;
  } while (all && next !== null);
  return { items, next };
}
