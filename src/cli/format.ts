/** Human renderings of the wire model: tables, a task summary, event lines, results. */
import type { AgentView } from '../wire/agent.ts';
import type { AuditEventView } from '../wire/audit.ts';
import type { EventView } from '../wire/event.ts';
import type { TaskView } from '../wire/task.ts';

/** Pads columns to their widest cell; the last column runs free so long text wraps naturally. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** One line of at most `max` characters, for table cells and the status line. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (max <= 0) return '';
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 1))}…`;
}

/** A result as a user wants to read it: strings verbatim, anything else as indented JSON. */
export function formatResult(result: unknown): string {
  if (result === null || result === undefined) return '';
  return typeof result === 'string' ? result : JSON.stringify(result, null, 2);
}

/** Seconds as "0.61 s", "12 s", "3 min 5 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - m * 60)} s`;
}

/** A percentage for display (progress is 0..100 on the wire). */
export function formatPercent(progress: number | null): string {
  return progress === null ? '' : `${Math.round(Math.min(100, Math.max(0, progress)))}%`;
}

/** A text progress bar `[████░░░░]` of `width` cells. */
export function progressBar(progress: number, width: number): string {
  const filled = Math.round((Math.min(100, Math.max(0, progress)) / 100) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

const clock = (iso: string): string => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toTimeString().slice(0, 8);
};

const localTime = (iso: string | null): string => {
  if (iso === null) return '-';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toLocaleDateString('en-CA')} ${d.toTimeString().slice(0, 8)}`;
};

/** One plain line per event (the non-TTY follow display). */
export function formatEventLine(e: EventView): string {
  const parts = [`[${clock(e.timestamp)}]`, `#${e.seq}`, e.state.padEnd(9), e.event_type === 'state_change' ? '' : e.event_type];
  if (e.progress !== null) parts.push(formatPercent(e.progress));
  if (e.message !== null && e.message !== '') parts.push(e.message);
  return parts.filter((p) => p !== '').join(' ');
}

/** The lines telling the user how to answer a waiting task (or decide the approval it waits for, given the event data). */
export function formatQuestion(taskId: string, question: string, data?: Record<string, unknown> | null): string {
  if (data?.['kind'] === 'approval') {
    const input = data['input'] as { preview?: unknown } | undefined;
    const preview = typeof input?.preview === 'string' ? `\n  input: ${truncate(input.preview, 200)}` : '';
    return `? ${question}${preview}\n  approve with: switchboard approve ${taskId} · deny with: switchboard approve ${taskId} --deny --reason "..."`;
  }
  return `? ${question}\n  answer with: switchboard answer ${taskId} "..."`;
}

/** `switchboard status`: the fields a person looks at, then the result or error. */
export function formatTaskSummary(t: TaskView): string {
  const rows: [string, string][] = [
    ['Task', t.task_id],
    ['Agent', t.agent_type],
    ['State', `${t.state}${t.max_attempts > 1 ? ` (attempt ${t.attempt}/${t.max_attempts})` : ''}`],
  ];
  if (t.progress !== null && t.state !== 'completed') rows.push(['Progress', formatPercent(t.progress)]);
  rows.push(['Prompt', truncate(t.prompt, 100)]);
  if (t.project_id !== null) rows.push(['Project', t.project_id]);
  if (t.session_id !== null) rows.push(['Session', t.session_id]);
  rows.push(['Created', localTime(t.created_at)]);
  if (t.started_at !== null) rows.push(['Started', localTime(t.started_at)]);
  if (t.finished_at !== null) {
    const took = t.execution_time === null ? '' : ` (took ${formatDuration(t.execution_time)})`;
    rows.push(['Finished', `${localTime(t.finished_at)}${took}`]);
  }
  if (t.question !== null) rows.push(['Question', t.question]);
  if (t.error !== null) rows.push(['Error', t.error]);
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  let out = rows.map(([k, v]) => `${k.padEnd(width)}${v}`).join('\n');
  if (t.state === 'waiting' && t.question !== null) {
    out += t.waiting?.kind === 'approval'
      ? `\n\nApprove with: switchboard approve ${t.task_id} (or --deny --reason "...")`
      : `\n\nAnswer with: switchboard answer ${t.task_id} "..."`;
  }
  const result = formatResult(t.result);
  if (result !== '') out += `\n\nResult:\n${result}`;
  return out;
}

/** `switchboard list`: one row per task, newest first as the server sends them. */
export function formatTaskTable(tasks: readonly TaskView[]): string {
  if (tasks.length === 0) return 'No tasks.';
  return formatTable(
    ['TASK ID', 'AGENT', 'STATE', 'PROGRESS', 'CREATED', 'PROMPT'],
    tasks.map((t) => [t.task_id, t.agent_type, t.state, formatPercent(t.progress), localTime(t.created_at), truncate(t.prompt, 50)]),
  );
}

/** `switchboard agents`: what can run, and what each agent is for. */
export function formatAgentTable(agents: readonly AgentView[]): string {
  if (agents.length === 0) return 'No agents are configured.';
  return formatTable(
    ['AGENT', 'NAME', 'AVAILABLE', 'CAPABILITIES', 'DESCRIPTION'],
    agents.map((a) => [a.agent_type, a.name, a.available ? 'yes' : 'no', a.capabilities.join(','), truncate(a.description, 80)]),
  );
}

/** `switchboard audit query`: one row per record, newest first as the server sends them. */
export function formatAuditTable(events: readonly AuditEventView[]): string {
  if (events.length === 0) return 'No audit records.';
  return formatTable(
    ['SEQ', 'TIME', 'EVENT', 'STATUS', 'USER', 'RESOURCE', 'ACTION'],
    events.map((e) => [
      String(e.metadata.seq),
      localTime(e.timestamp),
      e.event_type,
      e.status,
      e.user_id ?? '-',
      e.resource_type === null ? '-' : `${e.resource_type}${e.resource_id === null ? '' : `:${e.resource_id}`}`,
      truncate(e.action, 40),
    ]),
  );
}
