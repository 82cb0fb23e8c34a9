/**
 * Admin (shown to holders of admin:users or admin:system): users (create, roles,
 * single-permission grants, disable and enable), resource policies (Policies.tsx), and
 * "explain" — why would user U be allowed permission P on resource R, step by step.
 */
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import { useSession } from '../session.tsx';
import { Errors, Table } from '../components.tsx';
import { Policies } from './Policies.tsx';
import { DeviceList } from './MyCredentials.tsx';
import { Permissions, Roles } from '../../../src/core/domain/permissions.ts';
import type { UserView } from '../wire.ts';

interface Explanation {
  allowed: boolean;
  rule: string;
  reason: string;
  steps: { rule: string; outcome: string; detail: string }[];
}

function Users() {
  const queries = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: async () => (await api<{ users: UserView[] }>('GET', '/api/users')).users });
  const refresh = () => void queries.invalidateQueries({ queryKey: ['users'] });
  const create = useMutation({ mutationFn: (b: { username: string; password?: string; roles: string[] }) => api<UserView>('POST', '/api/users', b), onSuccess: refresh });
  const update = useMutation({ mutationFn: (u: { id: string; body: Record<string, unknown> }) => api<UserView>('PATCH', `/api/users/${u.id}`, u.body), onSuccess: refresh });
  const grant = useMutation({ mutationFn: (g: { id: string; permission: string }) => api('POST', `/api/users/${g.id}/permissions`, { permission: g.permission }), onSuccess: refresh });
  const ungrant = useMutation({ mutationFn: (g: { id: string; permission: string }) => api('DELETE', `/api/users/${g.id}/permissions/${encodeURIComponent(g.permission)}`), onSuccess: refresh });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const password = String(form.get('password') ?? '');
    const el = e.currentTarget;
    create.mutate({ username: String(form.get('username') ?? '').trim(), roles: [String(form.get('role') ?? 'viewer')], ...(password !== '' ? { password } : {}) }, { onSuccess: () => el.reset() });
  }

  return (
    <>
      <h2>Users</h2>
      <Errors errors={[users.error, create.error, update.error, grant.error, ungrant.error]} />
      <form className="row" onSubmit={submit} aria-label="New user">
        <label>
          Username
          <input name="username" required autoComplete="off" />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="new-password" />
        </label>
        <label>
          Role
          <select name="role" defaultValue="developer">
            {Roles.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={create.isPending}>
          Create user
        </button>
      </form>
      <Table columns={['User', 'Role', 'Grants', 'State']}>
            {users.data?.map((u) => (
              <tr key={u.id}>
                <td>{u.username}</td>
                <td>
                  <select aria-label={`Role of ${u.username}`} value={u.roles[0] ?? ''} onChange={(e) => update.mutate({ id: u.id, body: { roles: [e.target.value] } })}>
                    {Roles.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td>
                  {u.grants.map((g) => (
                    <button key={g} type="button" className="badge" title="Revoke this grant" onClick={() => ungrant.mutate({ id: u.id, permission: g })}>
                      {g} ×
                    </button>
                  ))}
                  <select aria-label={`Grant a permission to ${u.username}`} value="" onChange={(e) => e.target.value !== '' && grant.mutate({ id: u.id, permission: e.target.value })}>
                    <option value="">+ grant</option>
                    {Permissions.filter((p) => !u.grants.includes(p)).map((p) => (
                      <option key={p}>{p}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <button type="button" onClick={() => update.mutate({ id: u.id, body: { disabled: !u.disabled } })}>
                    {u.disabled ? 'Enable' : 'Disable'}
                  </button>
                </td>
              </tr>
            ))}
      </Table>
    </>
  );
}

/** Every user's devices: a new one waits here for approval. */
function AllDevices() {
  const users = useQuery({ queryKey: ['users'], queryFn: async () => (await api<{ users: UserView[] }>('GET', '/api/users')).users });
  return (
    <>
      <h2>Devices</h2>
      <DeviceList all owners={(id) => users.data?.find((u) => u.id === id)?.username ?? id} />
    </>
  );
}

function Explain() {
  const [answer, setAnswer] = useState<Explanation | null>(null);
  const explain = useMutation({ mutationFn: (b: Record<string, string>) => api<Explanation>('POST', '/api/policies/explain', b), onSuccess: setAnswer });
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const body: Record<string, string> = { permission: String(form.get('permission') ?? '') };
    for (const k of ['user_id', 'resource']) {
      const v = String(form.get(k) ?? '').trim();
      if (v !== '') body[k] = v;
    }
    explain.mutate(body);
  }
  return (
    <>
      <h2>Explain a decision</h2>
      <form className="row" onSubmit={submit} aria-label="Explain">
        <label>
          User (id or name)
          <input name="user_id" placeholder="you" autoComplete="off" />
        </label>
        <label>
          Permission
          <select name="permission">
            {Permissions.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          Resource
          <input name="resource" placeholder="project:42, agent:gpt" autoComplete="off" />
        </label>
        <button type="submit" disabled={explain.isPending}>
          Explain
        </button>
      </form>
      <Errors errors={[explain.error]} />
      {answer !== null && (
        <div className="card stack" role="status">
          <p>
            <strong className={answer.allowed ? 'ok' : 'error'}>{answer.allowed ? 'ALLOWED' : 'DENIED'}</strong> by <code>{answer.rule}</code>: {answer.reason}
          </p>
          <ol>
            {answer.steps.map((s, i) => (
              <li key={i}>
                <code>{s.rule}</code> {s.outcome}: {s.detail}
              </li>
            ))}
          </ol>
        </div>
      )}
    </>
  );
}

export function Admin() {
  const { can } = useSession();
  return (
    <section className="page">
      <h1>Admin</h1>
      {can('admin:users') ? <Users /> : <p className="hint">Managing users needs admin:users.</p>}
      {can('admin:users') && <AllDevices />}
      {can('admin:system') ? <Policies /> : <p className="hint">Managing resource policies needs admin:system.</p>}
      <Explain />
    </section>
  );
}
