/**
 * A board task: its details and history, its executions, "Run on agent", the live
 * stream of the running execution (events and progress, resumed by the browser after a
 * dropped connection), cancel, answer a question, the branch's diff and the pull request.
 */
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, messageOf } from '../api.ts';
import { useSession } from '../session.tsx';
import { useLiveStream } from '../live.ts';
import Markdown from 'react-markdown';
import type { ActivityView, BoardTaskView, ExecutionView, TaskView } from '../wire.ts';
import { TERMINAL, useTaskStream } from '../task-events.ts';
import { AnswerForm, ApprovalBox, ErrorPage, Errors, EventList, Result } from '../components.tsx';

function LiveExecution({ execution, onEnd }: { execution: ExecutionView; onEnd: () => void }) {
  const { events, output } = useTaskStream(execution.execution_uuid);
  const last = events.at(-1);
  const state = last?.state ?? execution.execution_state ?? 'pending';
  const progress = [...events].reverse().find((e) => e.progress !== null)?.progress ?? null;
  const ended = TERMINAL.has(state);
  useEffect(() => {
    if (ended) onEnd();
  }, [ended, onEnd]);
  const runtime = useQuery({
    queryKey: ['runtime-task', execution.execution_uuid, state],
    queryFn: () => api<TaskView>('GET', `/api/runtime/tasks/${execution.execution_uuid}/state`),
  });
  const cancel = useMutation({ mutationFn: () => api('POST', `/api/runtime/tasks/${execution.execution_uuid}/cancel`) });
  const answer = useMutation({ mutationFn: (text: string) => api('POST', `/api/runtime/tasks/${execution.execution_uuid}/answer`, { answer: text }) });
  const approve = useMutation({
    mutationFn: (yes: boolean) =>
      api('POST', `/api/runtime/tasks/${execution.execution_uuid}/approve`, {
        decision: yes ? 'approve' : 'deny',
        ...(runtime.data?.waiting?.kind === 'approval' ? { approval_id: runtime.data.waiting.approval_id } : {}),
      }),
  });
  const question = state === 'waiting' ? runtime.data?.question : null;
  const approval = state === 'waiting' && runtime.data?.waiting?.kind === 'approval' ? runtime.data.waiting : undefined;

  return (
    <section className="card stack live" aria-label="Running execution">
      <div className="row spread">
        <h3>
          Execution {execution.id} on {execution.agent_type}
        </h3>
        <span className={`badge state-${state}`} data-testid="execution-state">
          {state}
        </span>
      </div>
      {progress !== null && (
        <progress max={100} value={progress} aria-label="Progress">
          {progress}%
        </progress>
      )}
      {approval !== undefined && <ApprovalBox skill={approval.skill} busy={approve.isPending} onDecide={(a) => approve.mutate(a)} />}
      {question !== null && question !== undefined && <AnswerForm question={question} busy={answer.isPending} onAnswer={(a) => answer.mutate(a)} />}
      {output !== '' && (
        <pre className="output" aria-label="Output" aria-live="polite">
          {output}
        </pre>
      )}
      <EventList events={events.filter((e) => e.event_type !== 'output')} />
      {ended && <Result result={runtime.data?.result} />}
      {ended && runtime.data?.error !== null && runtime.data?.error !== undefined && <p className="error">{runtime.data.error}</p>}
      {!ended && (
        <button type="button" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
          Cancel
        </button>
      )}
      <Errors errors={[cancel.error, answer.error, approve.error]} />
    </section>
  );
}

function DiffView({ taskKey }: { taskKey: string }) {
  const diff = useQuery({ queryKey: ['diff', taskKey], queryFn: () => api<{ base: string; branch: string; files: { path: string; added: number; removed: number; binary: boolean }[]; diff: string; truncated: boolean }>('GET', `/api/tasks/${taskKey}/diff`) });
  if (diff.isPending) return <p role="status">Loading the diff…</p>;
  if (diff.error !== null) return <p className="hint">{messageOf(diff.error)}</p>;
  return (
    <div className="diff">
      <p>
        <code>{diff.data.branch}</code> against <code>{diff.data.base}</code>: {diff.data.files.length} file(s)
      </p>
      <ul className="files">
        {diff.data.files.map((f) => (
          <li key={f.path}>
            <span className="added">+{f.added}</span> <span className="removed">−{f.removed}</span> {f.path}
          </li>
        ))}
      </ul>
      <pre className="patch">
        {diff.data.diff.split('\n').map((line, i) => (
          <span key={i} className={line.startsWith('+') && !line.startsWith('+++') ? 'add' : line.startsWith('-') && !line.startsWith('---') ? 'del' : line.startsWith('@@') ? 'hunk' : undefined}>
            {line}
            {'\n'}
          </span>
        ))}
      </pre>
      {diff.data.truncated && <p className="hint">The diff was cut at 512 KiB.</p>}
    </div>
  );
}

export function TaskPage() {
  const { key = '' } = useParams();
  const { can } = useSession();
  const queries = useQueryClient();
  const taskKey = useMemo(() => ['board-task', key], [key]);
  const task = useQuery({ queryKey: taskKey, queryFn: () => api<BoardTaskView>('GET', `/api/tasks/${encodeURIComponent(key)}`) });
  const executions = useQuery({ queryKey: ['executions', key], queryFn: async () => (await api<{ executions: ExecutionView[] }>('GET', `/api/tasks/${encodeURIComponent(key)}/executions`)).executions });
  const activity = useQuery({ queryKey: ['activity', key], queryFn: async () => (await api<{ activity: ActivityView[] }>('GET', `/api/tasks/${encodeURIComponent(key)}/activity`)).activity });
  const agents = useQuery({ queryKey: ['agents-available'], queryFn: async () => (await api<{ agents: string[] }>('GET', '/api/agents/available')).agents });
  const refresh = useCallback(() => {
    for (const k of [taskKey, ['executions', key], ['activity', key], ['diff', key]]) void queries.invalidateQueries({ queryKey: k });
  }, [queries, taskKey, key]);
  // The card's column, activity and executions follow the board's stream (the engine moves cards too).
  const projectKey = task.data?.key.split('-')[0];
  useLiveStream(projectKey === undefined ? undefined : `/api/projects/${encodeURIComponent(projectKey)}/events`, refresh);
  const run = useMutation({
    mutationFn: (r: { agent: string; context: Record<string, unknown> | undefined }) =>
      api<ExecutionView>('POST', '/api/tasks/execute', { task_id: key, ...(r.agent !== '' ? { agent_type: r.agent } : {}), ...(r.context !== undefined ? { context: r.context } : {}) }),
    onSuccess: refresh,
  });
  const [contextError, setContextError] = useState<string | null>(null);
  const pr = useMutation({ mutationFn: () => api<{ pr_url: string; pr_number: number }>('POST', `/api/tasks/${key}/create_pr`, {}), onSuccess: refresh });
  const [showDiff, setShowDiff] = useState(false);

  if (task.error !== null) return <ErrorPage error={task.error} />;
  if (task.data === undefined) return <p role="status">Loading the task…</p>;
  const t = task.data;
  const latest = executions.data?.at(-1);
  const running = latest !== undefined && !TERMINAL.has(latest.execution_state ?? 'pending') ? latest : undefined;
  const canWrite = can('project:write');

  function submitRun(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const text = String(form.get('context') ?? '').trim();
    let context: Record<string, unknown> | undefined;
    if (text !== '') {
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        context = parsed as Record<string, unknown>;
      } catch {
        setContextError('The context must be a JSON object, e.g. {"delay_ms": 3000}');
        return;
      }
    }
    setContextError(null);
    run.mutate({ agent: String(form.get('agent') ?? ''), context });
  }

  return (
    <section className="page task-page">
      <p className="crumbs">
        <Link to={`/projects/${t.key.split('-')[0] ?? ''}`}>Board</Link> / {t.key}
      </p>
      <div className="page-head">
        <h1>
          <span className="key">{t.key}</span> {t.title}
        </h1>
        <span className={`badge priority-${t.priority}`}>{t.priority}</span>
      </div>
      <p className="meta">
        {t.status.replace('_', ' ')} · agent {t.assigned_agent_type ?? 'project default'}
        {t.github_pr_url !== null && (
          <>
            {' · '}
            <a href={t.github_pr_url} target="_blank" rel="noreferrer noopener">
              PR #{t.github_pr_number}
            </a>
          </>
        )}
      </p>
      {t.description !== null && t.description !== '' && (
        // Markdown without raw HTML: react-markdown builds elements, it never injects markup.
        <div className="description markdown">
          <Markdown>{t.description}</Markdown>
        </div>
      )}

      {canWrite && (
        <form className="row" onSubmit={submitRun} aria-label="Run on agent">
          <label>
            Agent
            <select name="agent" defaultValue="">
              <option value="">{t.assigned_agent_type ?? 'the project default'}</option>
              {agents.data?.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </select>
          </label>
          <details className="advanced">
            <summary>Context</summary>
            <label>
              Context for the agent (JSON)
              <input name="context" placeholder='{"delay_ms": 3000}' autoComplete="off" />
            </label>
          </details>
          <button type="submit" className="primary" disabled={run.isPending || running !== undefined}>
            Run on agent
          </button>
          <button type="button" onClick={() => pr.mutate()} disabled={pr.isPending}>
            Create PR
          </button>
        </form>
      )}
      {contextError !== null && (
        <p className="error" role="alert">
          {contextError}
        </p>
      )}
      <Errors errors={[run.error, pr.error]} />
      {running !== undefined && <LiveExecution key={running.id} execution={running} onEnd={refresh} />}

      <h2>Executions</h2>
      {executions.data?.length === 0 && <p className="empty">Not run yet.</p>}
      <ul className="executions">
        {executions.data?.map((e) => (
          <li key={e.id}>
            <span className={`badge state-${e.execution_state ?? 'unknown'}`}>{e.execution_state ?? e.status}</span> #{e.id} on {e.agent_type} · {new Date(e.started_at).toLocaleString()}
            {e.error_message !== null && <span className="error"> {e.error_message}</span>}
          </li>
        ))}
      </ul>

      <h2>Changes</h2>
      <button type="button" onClick={() => setShowDiff(!showDiff)} aria-expanded={showDiff}>
        {showDiff ? 'Hide the diff' : 'Show the diff'}
      </button>
      {showDiff && <DiffView taskKey={t.key} />}

      <h2>Activity</h2>
      <ol className="activity">
        {activity.data?.map((a) => (
          <li key={a.id}>
            <time dateTime={a.created_at}>{new Date(a.created_at).toLocaleString()}</time> {a.kind.replace('_', ' ')}
            {a.kind === 'moved' && ` ${String(a.details['from'] ?? '')} → ${String(a.details['to'] ?? '')}`}
          </li>
        ))}
      </ol>
    </section>
  );
}
