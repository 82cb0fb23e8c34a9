/** Me: who I am, my password, my tokens, devices and Telegram links, my live sessions (end one). */
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, messageOf } from '../api.ts';
import { ShortId } from '../components.tsx';
import { useSession } from '../session.tsx';
import { MyDevices, MyTokens } from './MyCredentials.tsx';
import { MyTelegram } from './MyTelegram.tsx';

interface SessionRow {
  session_id: string;
  device_id: string | null;
  created_at: string;
  last_activity: string;
  expires_at: string;
}

export function Me() {
  const { session } = useSession();
  const queries = useQueryClient();
  const [saved, setSaved] = useState(false);
  const sessions = useQuery({ queryKey: ['my-sessions'], queryFn: async () => (await api<{ sessions: SessionRow[] }>('GET', '/api/runtime/sessions')).sessions });
  const password = useMutation({
    mutationFn: (body: { current_password?: string; new_password: string }) => api('POST', '/api/users/me/password', body),
    onSuccess: () => {
      setSaved(true);
      // Other sessions of this account have ended.
      void queries.invalidateQueries({ queryKey: ['my-sessions'] });
    },
  });
  const end = useMutation({
    mutationFn: (id: string) => api('DELETE', `/api/runtime/sessions/${id}`),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['my-sessions'] }),
  });
  if (session === null || session === undefined) return null;

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setSaved(false);
    const form = new FormData(e.currentTarget);
    const current = String(form.get('current_password') ?? '');
    password.mutate({ new_password: String(form.get('password') ?? ''), ...(current !== '' ? { current_password: current } : {}) });
    e.currentTarget.reset();
  }
  const hasPassword = session.user.has_password || saved;

  return (
    <section className="page">
      <h1>{session.user.username}</h1>
      <p className="meta">
        Roles: {session.user.roles.join(', ') || 'none'} · {hasPassword ? 'has a password' : 'no password yet'}
      </p>
      <h2>Password</h2>
      <form className="card stack narrow" onSubmit={submit}>
        {hasPassword && (
          <label>
            Current password
            <input name="current_password" type="password" autoComplete="current-password" required />
          </label>
        )}
        <label>
          New password
          <input name="password" type="password" autoComplete="new-password" minLength={12} required />
        </label>
        <p className="hint">At least 12 characters, mixing at least two kinds of character. Your other sessions end; this one stays.</p>
        {password.error !== null && (
          <p className="error" role="alert">
            {messageOf(password.error)}
          </p>
        )}
        {saved && <p role="status">Password saved. You can now sign in with it.</p>}
        <button type="submit" className="primary" disabled={password.isPending}>
          {hasPassword ? 'Change password' : 'Set password'}
        </button>
      </form>
      <MyTokens userId={session.user.id} />
      <MyDevices />
      <MyTelegram />
      <h2>Sessions</h2>
      {sessions.error !== null && <p className="error">{messageOf(sessions.error)}</p>}
      <ul className="sessions">
        {sessions.data?.map((s) => (
          <li key={s.session_id} className="row">
            <ShortId id={s.session_id} /> since {new Date(s.created_at).toLocaleString()}
            {s.session_id === session.session_id ? (
              <span className="badge">this browser</span>
            ) : (
              <button type="button" onClick={() => end.mutate(s.session_id)}>
                End
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
