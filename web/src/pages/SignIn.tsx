/** Sign in with a username and password, or with an API token (the first admin has only the printed token). */
import { useState, type FormEvent } from 'react';
import { api, ApiError, messageOf } from '../api.ts';
import { forgetDevice, loadDevice, proveDevice } from '../device.ts';
import { useQueryClient } from '@tanstack/react-query';
import { useSession } from '../session.tsx';
import type { WebSession } from '../wire.ts';

export function SignIn() {
  const { signedIn } = useSession();
  const queries = useQueryClient();
  const [mode, setMode] = useState<'password' | 'token'>('password');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The API refused this browser's device (revoked, or unknown to this server).
  const [deviceRefused, setDeviceRefused] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const body = mode === 'token' ? { token: String(form.get('token') ?? '').trim() } : { username: String(form.get('username') ?? ''), password: String(form.get('password') ?? '') };
    setBusy(true);
    setError(null);
    setDeviceRefused(false);
    try {
      // A registered browser proves it is the device, so the session carries its trust.
      const device = await loadDevice();
      const proof = device === undefined ? {} : await proveDevice(device);
      signedIn(await api<WebSession>('POST', '/api/web/session', { ...body, ...proof }));
    } catch (err) {
      setError(messageOf(err));
      setDeviceRefused(err instanceof ApiError && err.code.startsWith('DEVICE_'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="sign-in">
      <h1>Sign in to Switchboard</h1>
      <div className="tabs" role="tablist" aria-label="How to sign in">
        <button type="button" role="tab" aria-selected={mode === 'password'} onClick={() => setMode('password')}>
          Password
        </button>
        <button type="button" role="tab" aria-selected={mode === 'token'} onClick={() => setMode('token')}>
          API token
        </button>
      </div>
      <form onSubmit={(e) => void submit(e)} className="card stack">
        {mode === 'password' ? (
          <>
            <label>
              Username
              <input name="username" autoComplete="username" required />
            </label>
            <label>
              Password
              <input name="password" type="password" autoComplete="current-password" required />
            </label>
          </>
        ) : (
          <>
            <label>
              API token
              <input name="token" type="password" autoComplete="off" placeholder="sbt_…" required />
            </label>
            <p className="hint">
              The first start of the server printed the admin token and saved it to <code>admin-token</code> in the data directory (<code>.switchboard/</code> by default).
            </p>
          </>
        )}
        {error !== null && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {deviceRefused && (
          <button type="button" onClick={() =>
              void forgetDevice().then(() => {
                queries.removeQueries({ queryKey: ['this-browser'] });
                setDeviceRefused(false);
              })
            }>
            Forget this browser's device key
          </button>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
