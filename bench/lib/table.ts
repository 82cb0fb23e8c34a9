/** Plain-text table of figures. */
import type { Figure } from './results.ts';

function formatValue(v: number | string): string {
  if (typeof v === 'string') return v;
  if (Number.isNaN(v)) return 'n/a';
  return Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : String(v);
}

export function renderTable(figures: readonly Figure[]): string {
  const header = ['benchmark', 'db', 'figure', 'value', 'unit', 'target'];
  const rows: string[][] = [];
  let prev = '';
  for (const f of figures) {
    const group = `${f.benchmark}|${f.dialect}`;
    const target =
      f.target === undefined ? '' : `${f.target.op === '>=' ? '≥' : f.target.op === '<=' ? '≤' : '<'} ${formatValue(f.target.value)} ${f.met ? 'met' : 'MISSED'}`;
    rows.push([group === prev ? '' : f.benchmark, group === prev ? '' : f.dialect, f.metric, formatValue(f.value), f.unit, target]);
    prev = group;
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 3 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
