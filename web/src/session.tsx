/** Who is signed in: read once from GET /api/web/session, shared by every page. */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, setCsrfToken, whenSignedOut } from './api.ts';
import type { WebSession } from './wire.ts';

/** A session with someone signed in. */
export type SignedIn = WebSession & { readonly user: NonNullable<WebSession['user']> };

interface SessionState {
  readonly session: SignedIn | null | undefined;
  signedIn(session: WebSession): void;
  signOut(): Promise<void>;
  can(permission: string): boolean;
}

const Context = createContext<SessionState | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  // undefined: still asking the server; null: not signed in.
  const [session, setSession] = useState<SignedIn | null | undefined>(undefined);

  const signedIn = useCallback((s: WebSession) => {
    if (s.user === null) return setSession(null);
    setCsrfToken(s.csrf_token);
    setSession({ ...s, user: s.user });
  }, []);

  useEffect(() => {
    whenSignedOut(() => setSession(null));
    api<WebSession>('GET', '/api/web/session').then(
      (s) => (s.user === null ? setSession(null) : signedIn(s)),
      () => setSession(null),
    );
  }, [signedIn]);

  const signOut = useCallback(async () => {
    try {
      await api('DELETE', '/api/web/session');
    } finally {
      setCsrfToken(null);
      setSession(null);
    }
  }, []);

  const can = useCallback((permission: string) => session?.permissions.includes(permission) ?? false, [session]);
  return <Context.Provider value={{ session, signedIn, signOut, can }}>{children}</Context.Provider>;
}

export function useSession(): SessionState {
  const value = useContext(Context);
  if (value === undefined) throw new Error('useSession outside SessionProvider');
  return value;
}
