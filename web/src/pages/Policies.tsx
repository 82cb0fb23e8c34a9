/**
 * Resource policies (admin:system): the list, and one form that creates a policy or
 * replaces the rules of the one being edited. Lists are typed comma-separated; the API
 * checks every name and says which one it refused.
 */
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import { Errors, Table } from '../components.tsx';
import { PolicyResourceTypes } from '../../../src/core/domain/policy.ts';
import type { PolicyView, UserView } from '../wire.ts';
import { useSession } from '../session.tsx';

const LISTS = ['permissions', 'allowed_roles', 'allowed_users', 'denied_users', 'required_permissions'] as const;
type ListField = (typeof LISTS)[number];

const LABELS: Record<ListField, string> = {
  permissions: 'Applies to permissions',
  allowed_roles: 'Only these roles',
  allowed_users: 'Only these users',
  denied_users: 'Always denied users',
  required_permissions: 'Also requires permissions',
};

const HINTS: Record<ListField, string> = {
  permissions: 'empty: every permission',
  allowed_roles: 'e.g. admin, developer',
  allowed_users: 'ids or usernames',
  denied_users: 'an explicit deny wins over every rule',
  required_permissions: 'e.g. task:approve',
};

/** "a, b,,c " → ["a", "b", "c"] */
function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function rulesOf(form: FormData): Record<string, unknown> {
  const body: Record<string, unknown> = {
    resource_type: String(form.get('resource_type') ?? ''),
    resource_id: String(form.get('resource_id') ?? '').trim(),
    require_trusted_device: form.get('require_trusted_device') === 'on',
    description: String(form.get('description') ?? ''),
  };
  for (const f of LISTS) body[f] = splitList(String(form.get(f) ?? ''));
  return body;
}

function PolicyForm({ names, editing, busy, onSubmit, onCancel }: { names: Names; editing: PolicyView | null; busy: boolean; onSubmit: (body: Record<string, unknown>, form: HTMLFormElement) => void; onCancel: () => void }) {
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const body = rulesOf(form);
    const id = String(form.get('id') ?? '').trim();
    if (editing === null && id !== '') body['id'] = id;
    onSubmit(body, e.currentTarget);
  }
  return (
    // Keyed by the policy: switching to another one starts from its values.
    <form key={editing?.id ?? 'new'} className="card stack" onSubmit={submit} aria-label={editing === null ? 'New policy' : `Edit policy ${editing.id}`}>
      <h3>{editing === null ? 'New policy' : `Edit ${editing.id}`}</h3>
      <div className="row">
        {editing === null && (
          <label>
            Id
            <input name="id" placeholder="generated" autoComplete="off" pattern="[A-Za-z0-9._\-]{1,64}" />
          </label>
        )}
        <label>
          Resource type
          <select name="resource_type" defaultValue={editing?.resource_type ?? 'project'}>
            {PolicyResourceTypes.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Resource id
          <input name="resource_id" required defaultValue={editing?.resource_id ?? ''} placeholder="42, deploy-*, *" autoComplete="off" />
        </label>
      </div>
      <div className="row">
        {LISTS.map((f) => (
          <label key={f}>
            {LABELS[f]}
            <input name={f} defaultValue={editing === null ? '' : f === 'allowed_users' || f === 'denied_users' ? names(editing[f]) : editing[f].join(', ')} placeholder={HINTS[f]} autoComplete="off" />
          </label>
        ))}
      </div>
      <label className="check">
        <input name="require_trusted_device" type="checkbox" defaultChecked={editing?.require_trusted_device ?? false} /> Requires a trusted device
      </label>
      <label>
        Description
        <input name="description" maxLength={500} defaultValue={editing?.description ?? ''} autoComplete="off" />
      </label>
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          {editing === null ? 'Create policy' : 'Save policy'}
        </button>
        {editing !== null && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

/** User ids as usernames where they are known (policies store ids). */
type Names = (ids: readonly string[]) => string;

const who = (p: PolicyView, names: Names): string =>
  [p.allowed_roles.length > 0 ? `roles ${p.allowed_roles.join(', ')}` : '', p.allowed_users.length > 0 ? `users ${names(p.allowed_users)}` : '', p.denied_users.length > 0 ? `not ${names(p.denied_users)}` : '']
    .filter((s) => s !== '')
    .join('; ') || 'anyone the role table allows';

export function Policies() {
  const queries = useQueryClient();
  const { can } = useSession();
  const users = useQuery({ queryKey: ['users'], enabled: can('admin:users'), queryFn: async () => (await api<{ users: UserView[] }>('GET', '/api/users')).users });
  const names: Names = (ids) => ids.map((id) => users.data?.find((u) => u.id === id)?.username ?? id).join(', ');
  const [editing, setEditing] = useState<PolicyView | null>(null);
  const policies = useQuery({ queryKey: ['policies'], queryFn: async () => (await api<{ policies: PolicyView[] }>('GET', '/api/policies')).policies });
  const refresh = () => void queries.invalidateQueries({ queryKey: ['policies'] });
  const save = useMutation({
    mutationFn: (b: { id: string | null; body: Record<string, unknown> }) => (b.id === null ? api<PolicyView>('POST', '/api/policies', b.body) : api<PolicyView>('PUT', `/api/policies/${encodeURIComponent(b.id)}`, b.body)),
    onSuccess: () => {
      setEditing(null);
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: (id: string) => api('DELETE', `/api/policies/${encodeURIComponent(id)}`), onSuccess: refresh });

  return (
    <>
      <h2>Resource policies</h2>
      <p className="hint">The role table must allow first; then an explicit deny wins, then the most specific matching policy decides.</p>
      <Errors errors={[policies.error, save.error, remove.error]} />
      {policies.data?.length === 0 && <p className="hint">No policies: the role table and grants decide everything.</p>}
      {policies.data !== undefined && policies.data.length > 0 && (
        <Table columns={['Policy', 'Resource', 'Permissions', 'Who', 'Actions']}>
              {policies.data.map((p) => (
                <tr key={p.id}>
                  <td>
                    <code>{p.id}</code> {p.description}
                  </td>
                  <td>
                    <code>
                      {p.resource_type}:{p.resource_id}
                    </code>
                  </td>
                  <td>
                    {p.permissions.join(', ') || 'all'}
                    {p.required_permissions.length > 0 && ` (also needs ${p.required_permissions.join(', ')})`}
                    {p.require_trusted_device && ' · trusted device'}
                  </td>
                  <td>{who(p, names)}</td>
                  <td className="row">
                    <button type="button" onClick={() => setEditing(p)} aria-label={`Edit policy ${p.id}`}>
                      Edit
                    </button>
                    <button type="button" onClick={() => remove.mutate(p.id)} aria-label={`Delete policy ${p.id}`}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
        </Table>
      )}
      <PolicyForm names={names} editing={editing} busy={save.isPending} onCancel={() => setEditing(null)} onSubmit={(body, form) => save.mutate({ id: editing?.id ?? null, body }, { onSuccess: () => form.reset() })} />
    </>
  );
}
