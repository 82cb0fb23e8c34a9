/** Me, continued: my API tokens (a new one is shown once; revoke) and my devices (approve, revoke where allowed). */
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import { useSession } from '../session.tsx';
import { Errors, ShortId } from '../components.tsx';
import { browserName, forgetDevice, loadDevice, registerDevice } from '../device.ts';

interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}
interface DeviceRow {
  device_id: string;
  name: string;
  owner_id: string;
  trust: string;
  key_fingerprint: string | null;
  last_seen: string;
}

export function MyTokens({ userId }: { userId: string }) {
  const queries = useQueryClient();
  const [secret, setSecret] = useState<string | null>(null);
  const key = ['tokens', userId];
  const tokens = useQuery({ queryKey: key, queryFn: async () => (await api<{ tokens: TokenRow[] }>('GET', `/api/users/${userId}/tokens`)).tokens });
  const create = useMutation({
    mutationFn: (name: string) => api<TokenRow & { token: string }>('POST', `/api/users/${userId}/tokens`, { name }),
    onSuccess: (t) => {
      setSecret(t.token);
      void queries.invalidateQueries({ queryKey: key });
    },
  });
  const revoke = useMutation({ mutationFn: (id: string) => api('DELETE', `/api/users/${userId}/tokens/${id}`), onSuccess: () => queries.invalidateQueries({ queryKey: key }) });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get('name') ?? '').trim();
    if (name !== '') create.mutate(name);
  }

  return (
    <>
      <h2>API tokens</h2>
      <Errors errors={[tokens.error, create.error, revoke.error]} />
      <form className="row" onSubmit={submit} aria-label="New API token">
        <label>
          Token name
          <input name="name" placeholder="ci, laptop…" autoComplete="off" required />
        </label>
        <button type="submit" disabled={create.isPending}>
          Create token
        </button>
      </form>
      {secret !== null && (
        <div className="card stack" role="status">
          <p>
            Your new token, shown this once (it is stored only as a hash): <code className="secret">{secret}</code>
          </p>
          <button type="button" onClick={() => setSecret(null)}>
            I have saved it
          </button>
        </div>
      )}
      <ul className="sessions">
        {tokens.data
          ?.filter((t) => t.revoked_at === null)
          .map((t) => (
            <li key={t.id} className="row">
              <strong>{t.name}</strong> <code>{t.prefix}…</code> since {new Date(t.created_at).toLocaleDateString()}
              {t.expires_at !== null && `, expires ${new Date(t.expires_at).toLocaleDateString()}`}
              <button type="button" onClick={() => revoke.mutate(t.id)} disabled={revoke.isPending}>
                Revoke
              </button>
            </li>
          ))}
      </ul>
    </>
  );
}

/** This browser as a device: registered here, then approved, then bound to each sign-in. */
function ThisBrowser({ onChange }: { onChange: () => void }) {
  const { session } = useSession();
  const queries = useQueryClient();
  const stored = useQuery({ queryKey: ['this-browser'], queryFn: async () => (await loadDevice()) ?? null });
  const register = useMutation({
    mutationFn: () => registerDevice(browserName(navigator.userAgent)),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ['this-browser'] });
      onChange();
    },
  });
  const forget = useMutation({ mutationFn: forgetDevice, onSuccess: () => void queries.invalidateQueries({ queryKey: ['this-browser'] }) });
  const bound = session?.device ?? null;
  return (
    <div className="card stack narrow" aria-label="This browser">
      <h3>This browser</h3>
      <Errors errors={[stored.error, register.error, forget.error]} />
      {bound !== null ? (
        <p>
          This session is bound to this browser's device <ShortId id={bound.device_id} />: <span className="badge">{bound.trust}</span>
        </p>
      ) : stored.data ? (
        <p>This browser is registered as device <ShortId id={stored.data.id} />. Once it is approved, sign out and in again: new sessions are bound to it.</p>
      ) : (
        <p className="hint">Register this browser as one of your devices: it keeps a key that cannot be read out, and signs every sign-in with it. Policies that require a trusted device then allow you here once the device is approved.</p>
      )}
      <div className="row">
        {stored.data === null && (
          <button type="button" onClick={() => register.mutate()} disabled={register.isPending}>
            Register this browser
          </button>
        )}
        {stored.data && (
          <button type="button" onClick={() => forget.mutate()} disabled={forget.isPending}>
            Forget this browser's key
          </button>
        )}
      </div>
    </div>
  );
}

/** Devices with approve (admin:users) and revoke: the caller's own, or everyone's (`all`, for the Admin page). */
export function DeviceList({ all = false, owners }: { all?: boolean; owners?: (id: string) => string }) {
  const { can } = useSession();
  const queries = useQueryClient();
  const devices = useQuery({ queryKey: ['devices', all], queryFn: async () => (await api<{ devices: DeviceRow[] }>('GET', `/api/devices${all ? '?all=true' : ''}`)).devices });
  const act = useMutation({
    mutationFn: (a: { id: string; action: 'approve' | 'revoke' }) => api('POST', `/api/devices/${encodeURIComponent(a.id)}/${a.action}`, {}),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['devices'] }),
  });
  return (
    <>
      <Errors errors={[devices.error, act.error]} />
      {devices.data?.length === 0 && <p className="empty">{all ? 'No devices.' : 'No devices. Register this browser above, or run `switchboard devices init` on a machine.'}</p>}
      <ul className="sessions" aria-label={all ? 'Every device' : 'My devices'}>
        {devices.data?.map((d) => (
          <li key={d.device_id} className="row">
            <strong>{d.name || d.device_id}</strong> {owners !== undefined && <span>of {owners(d.owner_id)}</span>} <span className="badge">{d.trust}</span> <code>{d.key_fingerprint ?? 'no key'}</code>
            {d.trust === 'pending' && can('admin:users') && (
              <button type="button" onClick={() => act.mutate({ id: d.device_id, action: 'approve' })} aria-label={`Approve ${d.name || d.device_id}`}>
                Approve
              </button>
            )}
            {d.trust !== 'revoked' && (
              <button type="button" onClick={() => act.mutate({ id: d.device_id, action: 'revoke' })} aria-label={`Revoke ${d.name || d.device_id}`}>
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

export function MyDevices() {
  const queries = useQueryClient();
  return (
    <>
      <h2>Devices</h2>
      <ThisBrowser onChange={() => void queries.invalidateQueries({ queryKey: ['devices'] })} />
      <DeviceList />
    </>
  );
}
