/** The shell: sign-in gate, navigation, and the pages by route (the larger pages load on first use). */
import { lazy, Suspense } from 'react';
import { Link, NavLink, Navigate, Route, Routes, useLocation } from 'react-router';
import { useSession } from './session.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { Projects } from './pages/Projects.tsx';
import { Board } from './pages/Board.tsx';
import { NotFound } from './pages/NotFound.tsx';
import { RuntimeTasks, RuntimeTaskView, useWaitingCount } from './pages/RuntimeTasks.tsx';

const Admin = lazy(() => import('./pages/Admin.tsx').then((m) => ({ default: m.Admin })));
const Agents = lazy(() => import('./pages/Agents.tsx').then((m) => ({ default: m.Agents })));
const Audit = lazy(() => import('./pages/Audit.tsx').then((m) => ({ default: m.Audit })));
const Me = lazy(() => import('./pages/Me.tsx').then((m) => ({ default: m.Me })));
const TaskPage = lazy(() => import('./pages/TaskPage.tsx').then((m) => ({ default: m.TaskPage })));

export function App() {
  const { session, signOut, can } = useSession();
  const location = useLocation();
  if (session === undefined) return <p className="loading" role="status">Loading…</p>;
  if (session === null) {
    if (location.pathname === '/sign-in') return <SignIn />;
    // Back to where they were after signing in.
    return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  }
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand">
          Switchboard
        </Link>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Projects
          </NavLink>
          <NavLink to="/runtime">Tasks</NavLink>
          <InboxLink />
          <NavLink to="/agents">Agents</NavLink>
          {(can('admin:users') || can('admin:system')) && <NavLink to="/admin">Admin</NavLink>}
          {can('admin:system') && <NavLink to="/audit">Audit</NavLink>}
        </nav>
        <div className="me">
          <NavLink to="/me">{session.user.username}</NavLink>
          <button type="button" className="link" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        <Suspense fallback={<p role="status">Loading…</p>}>
        <Routes>
          <Route path="/" element={<Projects />} />
          <Route path="/sign-in" element={<Navigate to={new URLSearchParams(location.search).get('next') ?? '/'} replace />} />
          <Route path="/projects/:key" element={<Board />} />
          <Route path="/tasks/:key" element={<TaskPage />} />
          <Route path="/me" element={<Me />} />
          <Route path="/runtime" element={<RuntimeTasks />} />
          <Route path="/runtime/:id" element={<RuntimeTaskView />} />
          <Route path="/inbox" element={<RuntimeTasks inbox />} />
          <Route path="/audit" element={<Audit />} />
          <Route path="/agents" element={<Agents />} />
          <Route path="/admin" element={<Admin />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
        </Suspense>
      </main>
    </>
  );
}

function InboxLink() {
  const count = useWaitingCount();
  return (
    <NavLink to="/inbox">
      Inbox{count !== undefined && count > 0 && <span className="badge count-badge" aria-label={`${count} waiting`}>{count}</span>}
    </NavLink>
  );
}
