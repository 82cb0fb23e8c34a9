/** Pure board logic: where a dropped card lands, and what a filter keeps. Unit-tested in test/unit/web-board-logic.test.ts. */

export interface Card {
  readonly id: number;
  readonly key: string;
  readonly status: string;
  readonly position: number;
  readonly title: string;
  readonly description: string | null;
  readonly priority: string;
  readonly assigned_agent_type: string | null;
}

/** Gap left after the last card of a column (the server appends with the same step). */
export const STEP = 1024;

/** A column's cards in board order. */
export function columnOf<T extends Card>(cards: readonly T[], status: string, movingId?: number): T[] {
  return cards.filter((c) => c.status === status && c.id !== movingId).sort((a, b) => a.position - b.position || a.id - b.id);
}

/**
 * The position that puts a card at `index` of `column` (which does not hold it): between
 * its neighbours, before the first, or after the last.
 */
export function positionAt(column: readonly Card[], index: number): number {
  const before = column[index - 1];
  const after = column[index];
  if (before === undefined && after === undefined) return STEP;
  if (before === undefined) return (after?.position ?? STEP) / 2;
  if (after === undefined) return before.position + STEP;
  return (before.position + after.position) / 2;
}

/** The move a drop asks for, or undefined when the card stays where it is. */
export function moveFor(cards: readonly Card[], cardId: number, toStatus: string, toIndex: number): { status: string; position: number } | undefined {
  const card = cards.find((c) => c.id === cardId);
  if (card === undefined) return undefined;
  const column = columnOf(cards, toStatus, cardId);
  const index = Math.max(0, Math.min(toIndex, column.length));
  if (card.status === toStatus) {
    const current = columnOf(cards, toStatus).findIndex((c) => c.id === cardId);
    if (current === index) return undefined;
  }
  return { status: toStatus, position: positionAt(column, index) };
}

export interface BoardFilter {
  readonly priority?: string;
  readonly agent?: string;
  readonly text?: string;
}

export function matches(card: Card, filter: BoardFilter): boolean {
  if (filter.priority !== undefined && filter.priority !== '' && card.priority !== filter.priority) return false;
  if (filter.agent !== undefined && filter.agent !== '' && card.assigned_agent_type !== filter.agent) return false;
  const text = filter.text?.trim().toLowerCase() ?? '';
  if (text === '') return true;
  return [card.key, card.title, card.description ?? ''].some((s) => s.toLowerCase().includes(text));
}
