/** Pieces several pages share: errors, a task's events, the answer form, a result. */
import type { FormEvent, ReactNode } from 'react';
import { Link } from 'react-router';
import { messageOf } from './api.ts';
import type { EventView } from './wire.ts';
import { eventItems, pretty, type ToolCallItem } from './tool-calls.ts';
import { shortId } from '../../src/core/domain/task.ts';

/** An id as shown: shortened (shortId), the whole id on hover. */
export function ShortId({ id }: { id: string }) {
  return <code title={id}>{shortId(id)}</code>;
}

/** Every error that is set, each as an alert with the API's message. */
export function Errors({ errors }: { errors: readonly unknown[] }) {
  return (
    <>
      {errors.map(
        (err, i) =>
          err !== null &&
          err !== undefined && (
            <p key={i} className="error" role="alert">
              {messageOf(err)}
            </p>
          ),
      )}
    </>
  );
}

function ToolCall({ call }: { call: ToolCallItem }) {
  const state = call.status === null ? 'running' : call.status;
  return (
    <li className="tool-call">
      <details>
        <summary>
          <span className="seq">#{call.seq}</span> <span className="etype">tool</span> <code>{call.tool}</code>{' '}
          <span className={`badge ${state === 'ok' ? 'state-completed' : state === 'error' ? 'state-failed' : 'state-running'}`}>{state}</span>
        </summary>
        <p className="meta">Input</p>
        <pre>{call.input === null ? '(not recorded)' : pretty(call.input)}</pre>
        {call.status !== null && (
          <>
            <p className="meta">{call.status === 'ok' ? 'Result' : 'Error'}</p>
            <pre>{call.result ?? '(not recorded)'}</pre>
          </>
        )}
      </details>
    </li>
  );
}

/** A task's events; each tool (skill) call is one item with its input and result. */
export function EventList({ events }: { events: readonly EventView[] }) {
  return (
    <ol className="events" aria-live="polite">
      {eventItems(events).map((item) =>
        item.kind === 'tool' ? (
          <ToolCall key={item.seq} call={item} />
        ) : (
          <li key={item.event.seq}>
            <span className="seq">#{item.event.seq}</span> <span className="etype">{item.event.event_type}</span> {item.event.message}
          </li>
        ),
      )}
    </ol>
  );
}

/** The agent's question with a field for the answer. */
export function AnswerForm({ question, busy, onAnswer, className = 'stack' }: { question: string; busy: boolean; onAnswer: (answer: string) => void; className?: string }) {
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const value = String(new FormData(e.currentTarget).get('answer') ?? '').trim();
    if (value !== '') onAnswer(value);
  }
  return (
    <form className={className} onSubmit={submit}>
      <label>
        The agent asks: <strong>{question}</strong>
        <input name="answer" placeholder="Your answer" autoComplete="off" />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        Answer
      </button>
    </form>
  );
}

export function Result({ result }: { result: unknown }) {
  if (result === null || result === undefined) return null;
  return <pre className="result">{typeof result === 'string' ? result : JSON.stringify(result, null, 2)}</pre>;
}

/** A page that could not load: the API's message, and a way back. */
export function ErrorPage({ error }: { error: unknown }) {
  return (
    <section className="page">
      <p className="error" role="alert">
        {messageOf(error)}
      </p>
      <Link to="/">Back to the projects</Link>
    </section>
  );
}

/** A waiting task's request to run a skill, approved or denied in place. */
export function ApprovalBox({ skill, busy, onDecide }: { skill: string; busy: boolean; onDecide: (approve: boolean) => void }) {
  return (
    <div className="card stack narrow" role="group" aria-label="Approval">
      <p>
        The agent wants to run the skill <code>{skill}</code>.
      </p>
      <div className="row">
        <button type="button" className="primary" onClick={() => onDecide(true)} disabled={busy}>
          Approve
        </button>
        <button type="button" onClick={() => onDecide(false)} disabled={busy}>
          Deny
        </button>
      </div>
    </div>
  );
}

/** A scrolling table with one header row: the pages' lists of users, policies and audit records. */
export function Table({ columns, children }: { columns: readonly string[]; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table className="audit">
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
