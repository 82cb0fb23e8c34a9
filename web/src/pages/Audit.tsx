/** The audit log (admin:system): filters, cursor paging, live verification of the hash chain, export. */
import { useState } from 'react';
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { api, messageOf } from '../api.ts';
import { ShortId, Table } from '../components.tsx';
import type { AuditEventView, AuditPageView, AuditVerifyView } from '../wire.ts';
import { AuditEventTypes } from '../../../src/core/domain/audit.ts';

const EVENT_TYPES = ['', ...AuditEventTypes];

export function Audit() {
  const [filter, setFilter] = useState({ event_type: '', user_id: '', status: '' });
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== ''));
  const events = useInfiniteQuery({
    queryKey: ['audit', query.toString()],
    initialPageParam: '',
    queryFn: ({ pageParam }) => api<AuditPageView>('GET', `/api/audit/events?limit=100&${query.toString()}${pageParam !== '' ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const verify = useMutation({ mutationFn: () => api<AuditVerifyView>('GET', '/api/audit/verify') });
  const rows: AuditEventView[] = events.data?.pages.flatMap((p) => p.events) ?? [];

  return (
    <section className="page">
      <div className="page-head">
        <h1>Audit log</h1>
        <div className="row">
          <button type="button" className="primary" onClick={() => verify.mutate()} disabled={verify.isPending}>
            Verify the chain
          </button>
          <a className="button" href={`/api/audit/export?format=ndjson&${query.toString()}`} download="audit.ndjson">
            Export (NDJSON)
          </a>
        </div>
      </div>
      {verify.data !== undefined && (
        <p role="status" className={verify.data.ok ? 'ok' : 'error'}>
          {verify.data.ok ? `The chain is intact: ${verify.data.checked} record(s) verified.` : `The chain is broken at record ${verify.data.broken_seq ?? '?'}: ${verify.data.reason ?? ''}`}
        </p>
      )}
      {verify.error !== null && <p className="error">{messageOf(verify.error)}</p>}
      <form className="filters row" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
        <label>
          Event type
          <select value={filter.event_type} onChange={(e) => setFilter({ ...filter, event_type: e.target.value })}>
            {EVENT_TYPES.map((t) => (
              <option key={t} value={t}>
                {t === '' ? 'Any' : t}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={filter.status} onChange={(e) => setFilter({ ...filter, status: e.target.value })}>
            {['', 'success', 'failure', 'denied'].map((s) => (
              <option key={s} value={s}>
                {s === '' ? 'Any' : s}
              </option>
            ))}
          </select>
        </label>
        <label>
          User id
          <input value={filter.user_id} onChange={(e) => setFilter({ ...filter, user_id: e.target.value.trim() })} />
        </label>
      </form>
      {events.error !== null && (
        <p className="error" role="alert">
          {messageOf(events.error)}
        </p>
      )}
      {events.isPending && <p role="status">Loading the audit log…</p>}
      {rows.length === 0 && !events.isPending && events.error === null && <p className="empty">No records match.</p>}
      <Table columns={['#', 'Time', 'Event', 'Action', 'Status', 'Resource', 'User']}>
            {rows.map((r) => (
              <tr key={r.event_id}>
                <td>{r.metadata.seq}</td>
                <td>
                  <time dateTime={r.timestamp}>{new Date(r.timestamp).toLocaleString()}</time>
                </td>
                <td>{r.event_type}</td>
                <td>{r.action}</td>
                <td className={r.status === 'success' ? '' : 'error'}>{r.status}</td>
                <td>{r.resource_type === null ? '-' : `${r.resource_type}:${r.resource_id ?? ''}`}</td>
                <td>
                  {r.user_id !== null && r.user_id !== undefined ? <ShortId id={r.user_id} /> : <code>-</code>}
                </td>
              </tr>
            ))}
      </Table>
      {events.hasNextPage && (
        <button type="button" onClick={() => void events.fetchNextPage()} disabled={events.isFetchingNextPage}>
          Older records
        </button>
      )}
    </section>
  );
}
