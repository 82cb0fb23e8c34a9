/**
 * Runtime tasks: every task the caller may see, newest first, with a state filter and
 * cursor paging; the Inbox lists what waits for this user (GET /api/runtime/inbox):
 * questions of their own tasks, and approvals they may decide. A task not on a board opens in the runtime task view.
 */
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { api, messageOf } from '../api.ts';
import { useTaskStream, TERMINAL } from '../task-events.ts';
import { AnswerForm, ApprovalBox, ErrorPage, Errors, EventList, Result, ShortId } from '../components.tsx';
import type { TaskView } from '../wire.ts';

interface TaskPage {
  readonly tasks: TaskView[];
  readonly next_cursor: string | null;
}

const STATES = ['', 'pending', 'running', 'waiting', 'completed', 'failed', 'cancelled'];

export function useWaitingCount(): number | undefined {
  const waiting = useQuery({ queryKey: ['inbox-count'], queryFn: () => api<{ tasks: TaskView[] }>('GET', '/api/runtime/inbox?limit=100'), refetchInterval: 10_000 });
  return waiting.data?.tasks.length;
}

export function RuntimeTasks({ inbox = false }: { inbox?: boolean }) {
  const [state, setState] = useState(inbox ? 'waiting' : '');
  const list = useInfiniteQuery({
    queryKey: ['runtime-tasks', inbox ? 'inbox' : state],
    initialPageParam: '',
    queryFn: async ({ pageParam }): Promise<TaskPage> =>
      inbox
        ? { tasks: (await api<{ tasks: TaskView[] }>('GET', '/api/runtime/inbox?limit=200')).tasks, next_cursor: null }
        : api<TaskPage>('GET', `/api/runtime/tasks?limit=50${state !== '' ? `&state=${state}` : ''}${pageParam !== '' ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const tasks = list.data?.pages.flatMap((p) => p.tasks) ?? [];
  return (
    <section className="page">
      <div className="page-head">
        <h1>{inbox ? 'Inbox' : 'Runtime tasks'}</h1>
        {!inbox && (
          <label>
            State
            <select value={state} onChange={(e) => setState(e.target.value)}>
              {STATES.map((s) => (
                <option key={s} value={s}>
                  {s === '' ? 'Any' : s}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {inbox && <p className="hint">Your tasks waiting for an answer, and skill calls waiting for a decision you may make.</p>}
      {list.error !== null && (
        <p className="error" role="alert">
          {messageOf(list.error)}
        </p>
      )}
      {list.isPending && <p role="status">Loading tasks…</p>}
      {tasks.length === 0 && !list.isPending && <p className="empty">{inbox ? 'Nothing is waiting for you.' : 'No tasks.'}</p>}
      <ul className="task-list">
        {tasks.map((t) => (
          <li key={t.task_id} className="card row spread">
            <Link to={`/runtime/${t.task_id}`}>
              <ShortId id={t.task_id} /> {t.agent_type}
            </Link>
            <span className="meta">{t.question ?? (typeof t.result === 'string' ? t.result.slice(0, 60) : '')}</span>
            <span className={`badge state-${t.state}`}>{t.state}</span>
          </li>
        ))}
      </ul>
      {list.hasNextPage && (
        <button type="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          More
        </button>
      )}
    </section>
  );
}

/** One runtime task: state, live events, answer, approve or deny, cancel. */
export function RuntimeTaskView() {
  const { id = '' } = useParams();
  const { events, output } = useTaskStream(id);
  const last = events.at(-1);
  const task = useQuery({ queryKey: ['runtime-task', id, last?.seq ?? 0], queryFn: () => api<TaskView>('GET', `/api/runtime/tasks/${encodeURIComponent(id)}/state`) });
  const cancel = useMutation({ mutationFn: () => api('POST', `/api/runtime/tasks/${id}/cancel`) });
  const answer = useMutation({ mutationFn: (text: string) => api('POST', `/api/runtime/tasks/${id}/answer`, { answer: text }) });
  const approve = useMutation({ mutationFn: (approved: boolean) => api('POST', `/api/runtime/tasks/${id}/approve`, { decision: approved ? 'approve' : 'deny', ...(task.data?.waiting?.kind === 'approval' ? { approval_id: task.data.waiting.approval_id } : {}) }) });
  if (task.error !== null) return <ErrorPage error={task.error} />;
  const t = task.data;
  if (t === undefined) return <p role="status">Loading the task…</p>;
  const waiting = t.state === 'waiting';
  return (
    <section className="page">
      <div className="page-head">
        <h1>
          Task <ShortId id={t.task_id} /> on {t.agent_type}
        </h1>
        <span className={`badge state-${t.state}`}>{t.state}</span>
      </div>
      {t.progress !== null && !TERMINAL.has(t.state) && (
        <progress max={100} value={t.progress} aria-label="Progress">
          {t.progress}%
        </progress>
      )}
      {waiting && t.waiting?.kind === 'question' && t.question !== null && <AnswerForm className="card stack narrow" question={t.question} busy={answer.isPending} onAnswer={(a) => answer.mutate(a)} />}
      {waiting && t.waiting?.kind === 'approval' && <ApprovalBox skill={t.waiting.skill} busy={approve.isPending} onDecide={(a) => approve.mutate(a)} />}
      {!TERMINAL.has(t.state) && (
        <button type="button" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
          Cancel
        </button>
      )}
      <Errors errors={[cancel.error, answer.error, approve.error]} />
      <Result result={t.result} />
      {t.error !== null && <p className="error">{t.error}</p>}
      {output !== '' && (
        <>
          <h2>Output</h2>
          <pre className="output" aria-label="Output" aria-live="polite">
            {output}
          </pre>
        </>
      )}
      <h2>Events</h2>
      <EventList events={events.filter((e) => e.event_type !== 'output')} />
    </section>
  );
}
