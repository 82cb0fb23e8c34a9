/** The projects as a card grid with counts per column; create, edit and archive. */
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, messageOf } from '../api.ts';
import { useSession } from '../session.tsx';
import { COLUMNS, type BoardTaskList, type ProjectView } from '../wire.ts';

const FIELDS = [
  { name: 'name', label: 'Name', required: true },
  { name: 'key', label: 'Key (e.g. DEMO)', required: true },
  { name: 'description', label: 'Description' },
  { name: 'repo_path', label: 'Local clone on the server (absolute path)' },
  { name: 'github_repo_url', label: 'GitHub repository URL' },
  { name: 'default_branch', label: 'Default branch' },
  { name: 'default_agent_type', label: 'Default agent' },
  { name: 'telegram_chat_id', label: 'Telegram group chat id' },
] as const;

function ProjectForm({ project, onDone }: { project?: ProjectView; onDone: () => void }) {
  const queries = useQueryClient();
  const save = useMutation({
    mutationFn: (body: Record<string, string | null>) => (project === undefined ? api<ProjectView>('POST', '/api/projects', body) : api<ProjectView>('PATCH', `/api/projects/${project.key}`, body)),
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: ['projects'] });
      onDone();
    },
  });
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const body: Record<string, string | null> = {};
    for (const f of FIELDS) {
      const value = String(form.get(f.name) ?? '').trim();
      if (value !== '') body[f.name] = value;
      else if (project !== undefined && !('required' in f)) body[f.name] = null;
    }
    save.mutate(body);
  }
  return (
    <form className="card stack" onSubmit={submit} aria-label={project === undefined ? 'New project' : `Edit ${project.key}`}>
      <h2>{project === undefined ? 'New project' : `Edit ${project.key}`}</h2>
      {FIELDS.map((f) => (
        <label key={f.name}>
          {f.label}
          <input name={f.name} required={'required' in f} defaultValue={project?.[f.name] ?? ''} />
        </label>
      ))}
      {save.error !== null && (
        <p className="error" role="alert">
          {messageOf(save.error)}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={save.isPending}>
          {project === undefined ? 'Create project' : 'Save'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function Projects() {
  const { can } = useSession();
  const queries = useQueryClient();
  const [editing, setEditing] = useState<ProjectView | 'new' | null>(null);
  const projects = useQuery({ queryKey: ['projects'], queryFn: () => api<ProjectView[]>('GET', '/api/projects') });
  const tasks = useQuery({ queryKey: ['board-tasks', 'all'], queryFn: () => api<BoardTaskList>('GET', '/api/tasks?limit=500') });
  const archive = useMutation({
    mutationFn: (p: ProjectView) => api('PATCH', `/api/projects/${p.key}`, { status: 'archived' }),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['projects'] }),
  });
  const canWrite = can('project:write');

  return (
    <section className="page">
      <div className="page-head">
        <h1>Projects</h1>
        {can('project:write') ? (
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            New project
          </button>
        ) : (
          <span className="hint">Creating projects needs project:write</span>
        )}
      </div>
      {editing !== null && <ProjectForm {...(editing === 'new' ? {} : { project: editing })} onDone={() => setEditing(null)} />}
      {projects.isPending && <p role="status">Loading projects…</p>}
      {projects.error !== null && (
        <p className="error" role="alert">
          {messageOf(projects.error)}
        </p>
      )}
      {archive.error !== null && (
        <p className="error" role="alert">
          {messageOf(archive.error)}
        </p>
      )}
      {projects.data?.length === 0 && <p className="empty">No projects yet. {can('project:write') ? 'Create the first one.' : ''}</p>}
      <ul className="grid">
        {projects.data?.map((p) => {
          const mine = tasks.data?.tasks.filter((t) => t.project_id === p.id) ?? [];
          return (
            <li key={p.id} className="card project">
              <h2>
                <Link to={`/projects/${p.key}`}>{p.name}</Link>
              </h2>
              <p className="meta">
                <span className="key">{p.key}</span> <span className={`badge status-${p.status}`}>{p.status.replace('_', ' ')}</span>
              </p>
              {p.description !== null && <p>{p.description}</p>}
              <dl className="counts">
                {COLUMNS.map((c) => (
                  <div key={c.status}>
                    <dt>{c.title}</dt>
                    <dd>{mine.filter((t) => t.status === c.status).length}</dd>
                  </div>
                ))}
              </dl>
              {canWrite && (
                <div className="row">
                  <button type="button" onClick={() => setEditing(p)}>
                    Edit
                  </button>
                  {p.status !== 'archived' && (
                    <button type="button" onClick={() => archive.mutate(p)}>
                      Archive
                    </button>
                  )}
                </div>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
