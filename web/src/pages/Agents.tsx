/** Agents (availability, capabilities; configured in AgentConfig.tsx where agent:configure is held) and skills (install from an archive or a git URL, uninstall, where skill:install is held). */
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, upload } from '../api.ts';
import { useSession } from '../session.tsx';
import { Errors } from '../components.tsx';
import type { AgentView } from '../wire.ts';
import { AgentConfig, NewAgent } from './AgentConfig.tsx';

interface SkillRow {
  skill_id: string;
  name: string;
  description: string;
  required_permissions: string[];
}

/** What an install answers: the skill, and where it came from. */
interface Installed {
  skill: SkillRow;
}

export function Agents() {
  const { can } = useSession();
  const queries = useQueryClient();
  const [installed, setInstalled] = useState<string | null>(null);
  const [configuring, setConfiguring] = useState<string | null>(null);
  const canConfigure = can('agent:configure');
  const agents = useQuery({ queryKey: ['agents'], queryFn: () => api<AgentView[]>('GET', '/api/runtime/agents') });
  const skills = useQuery({ queryKey: ['skills'], queryFn: () => api<SkillRow[]>('GET', '/api/runtime/skills') });
  const refresh = () => void queries.invalidateQueries({ queryKey: ['skills'] });
  const install = useMutation({
    mutationFn: (source: File | string) => (typeof source === 'string' ? api<Installed>('POST', '/api/runtime/skills', { git_url: source }) : upload<Installed>('/api/runtime/skills', source)),
    onSuccess: (s) => {
      setInstalled(s.skill.skill_id);
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: (id: string) => api('DELETE', `/api/runtime/skills/${encodeURIComponent(id)}`), onSuccess: refresh });
  const canInstall = can('skill:install');

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const file = form.get('archive');
    const url = String(form.get('git_url') ?? '').trim();
    if (file instanceof File && file.size > 0) install.mutate(file);
    else if (url !== '') install.mutate(url);
  }

  return (
    <section className="page">
      <h1>Agents</h1>
      <Errors errors={[agents.error, skills.error, install.error, remove.error]} />
      {agents.isPending && <p role="status">Loading agents…</p>}
      <ul className="grid">
        {agents.data?.map((a) => (
          <li key={a.agent_type} className="card">
            <div className="row spread">
              <h2>{a.name}</h2>
              <span className={`badge ${a.available ? 'state-completed' : 'state-failed'}`}>{a.available ? 'available' : 'unavailable'}</span>
            </div>
            <p className="key">{a.agent_type}</p>
            <p>{a.description}</p>
            {a.capabilities.length > 0 && <p className="meta">{a.capabilities.join(' · ')}</p>}
            {canConfigure && (
              <button type="button" onClick={() => setConfiguring(a.agent_type)} aria-label={`Configure ${a.agent_type}`}>
                Configure
              </button>
            )}
          </li>
        ))}
      </ul>
      {configuring !== null && <AgentConfig key={configuring} agentType={configuring} onClose={() => setConfiguring(null)} />}
      {canConfigure ? <NewAgent onCreated={setConfiguring} /> : <p className="hint">Configuring agents needs agent:configure.</p>}
      <h2>Skills</h2>
      {skills.data?.length === 0 && <p className="empty">No skills installed.</p>}
      <ul className="task-list">
        {skills.data?.map((s) => (
          <li key={s.skill_id} className="card row spread">
            <span>
              <strong>{s.name}</strong> <span className="key">{s.skill_id}</span>
            </span>
            <span className="meta">{s.description}</span>
            {canInstall && (
              <button type="button" onClick={() => remove.mutate(s.skill_id)} disabled={remove.isPending} aria-label={`Uninstall ${s.skill_id}`}>
                Uninstall
              </button>
            )}
          </li>
        ))}
      </ul>
      {canInstall ? (
        <form className="card stack narrow" onSubmit={submit} aria-label="Install a skill">
          <h3>Install a skill</h3>
          <label>
            Archive (.tar.gz or .zip)
            <input type="file" name="archive" accept=".tar.gz,.tgz,.zip,application/gzip,application/zip" />
          </label>
          <label>
            or a git URL
            <input name="git_url" placeholder="https://…/skill.git" autoComplete="off" />
          </label>
          {installed !== null && <p role="status">Installed {installed}.</p>}
          <button type="submit" className="primary" disabled={install.isPending}>
            Install
          </button>
        </form>
      ) : (
        <p className="hint">Installing skills needs skill:install.</p>
      )}
    </section>
  );
}
