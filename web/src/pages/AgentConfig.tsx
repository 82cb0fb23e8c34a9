/**
 * Configuring agents (agent:configure): an agent's definition as the server holds it
 * (where it comes from, whether it is available and why not), its config as JSON, to
 * replace or delete when it is database-defined, a check on demand, and a new agent.
 * Secrets are written as `env:NAME` references; the server refuses literal keys.
 */
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import { Errors } from '../components.tsx';
import type { AgentDefinitionView } from '../wire.ts';


const TEMPLATE = '{\n  "kind": "echo",\n  "name": "My agent"\n}';

/** The config text as a JSON object, or the reason it is not one. */
function parseConfig(text: string): { config: Record<string, unknown> } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: `The config is not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'The config must be a JSON object, e.g. {"kind": "echo"}' };
  return { config: value as Record<string, unknown> };
}

function useAgentWrites(onDone: () => void) {
  const queries = useQueryClient();
  const refresh = (id: string) => {
    void queries.invalidateQueries({ queryKey: ['agents'] });
    void queries.invalidateQueries({ queryKey: ['agent-definition', id] });
  };
  const put = useMutation({
    mutationFn: (b: { id: string; config: Record<string, unknown> }) => api<AgentDefinitionView>('PUT', `/api/runtime/agents/${encodeURIComponent(b.id)}`, b.config),
    onSuccess: (d) => {
      refresh(d.agent_type);
      onDone();
    },
  });
  // A deleted agent's definition is dropped, not fetched again (it would be a 404).
  const forget = (id: string) => {
    queries.removeQueries({ queryKey: ['agent-definition', id] });
    void queries.invalidateQueries({ queryKey: ['agents'] });
  };
  return { put, refresh, forget };
}

/** One agent's definition, opened from its card. */
export function AgentConfig({ agentType, onClose }: { agentType: string; onClose: () => void }) {
  const [text, setText] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const definition = useQuery({ queryKey: ['agent-definition', agentType], queryFn: () => api<AgentDefinitionView>('GET', `/api/runtime/agents/${encodeURIComponent(agentType)}`) });
  const { put, refresh, forget } = useAgentWrites(() => setSaved(true));
  const check = useMutation({ mutationFn: () => api<AgentDefinitionView>('POST', `/api/runtime/agents/${encodeURIComponent(agentType)}/check`, {}), onSuccess: () => refresh(agentType) });
  const remove = useMutation({
    mutationFn: () => api('DELETE', `/api/runtime/agents/${encodeURIComponent(agentType)}`),
    onSuccess: () => {
      onClose();
      forget(agentType);
    },
  });
  const d = check.data ?? definition.data;

  function save(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setSaved(false);
    const parsed = parseConfig(text ?? JSON.stringify(d?.config ?? {}, null, 2));
    if ('error' in parsed) return setInvalid(parsed.error);
    setInvalid(null);
    put.mutate({ id: agentType, config: parsed.config });
  }

  return (
    <section className="card stack" aria-label={`Configure ${agentType}`}>
      <div className="row spread">
        <h2>Configure {agentType}</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <Errors errors={[definition.error, check.error, remove.error, put.error, invalid]} />
      {d === undefined ? (
        <p role="status">Loading…</p>
      ) : (
        <>
          <p className="meta">
            {d.kind} · defined by {d.source}
            {d.read_only && ' (read-only here: change it where it is defined)'}
            {d.source === 'builtin' && ' (saving a config defines it in the database instead)'} · {d.available ? 'available' : `unavailable: ${d.unavailable_reason ?? 'unknown reason'}`}
            {d.checked_at !== null && ` · checked ${new Date(d.checked_at).toLocaleString()}`}
          </p>
          <form className="stack" onSubmit={save}>
            <label>
              Config (JSON; secrets as "env:NAME")
              <textarea rows={10} className="code" readOnly={d.read_only} value={text ?? JSON.stringify(d.config ?? {}, null, 2)} onChange={(e) => setText(e.target.value)} spellCheck={false} />
            </label>
            {saved && <p role="status">Saved; new tasks use it.</p>}
            <div className="row">
              {!d.read_only && (
                <button type="submit" className="primary" disabled={put.isPending}>
                  Save
                </button>
              )}
              <button type="button" onClick={() => check.mutate()} disabled={check.isPending}>
                Check now
              </button>
              {d.source === 'database' && (
                <button type="button" onClick={() => remove.mutate()} disabled={remove.isPending}>
                  Delete agent
                </button>
              )}
            </div>
          </form>
        </>
      )}
    </section>
  );
}

/** A new database-defined agent. */
export function NewAgent({ onCreated }: { onCreated: (agentType: string) => void }) {
  const [invalid, setInvalid] = useState<string | null>(null);
  const [id, setId] = useState('');
  const { put } = useAgentWrites(() => {
    onCreated(id);
    setId('');
  });
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const parsed = parseConfig(String(new FormData(e.currentTarget).get('config') ?? ''));
    if ('error' in parsed) return setInvalid(parsed.error);
    setInvalid(null);
    put.mutate({ id, config: parsed.config });
  }
  return (
    <form className="card stack narrow" onSubmit={submit} aria-label="New agent">
      <h3>New agent</h3>
      <label>
        Agent id
        <input value={id} onChange={(e) => setId(e.target.value.trim())} required pattern="[A-Za-z0-9._\-]{1,100}" autoComplete="off" placeholder="my-agent" />
      </label>
      <label>
        Config (JSON, as an entry of switchboard.config.yaml without its id)
        <textarea name="config" rows={6} className="code" defaultValue={TEMPLATE} spellCheck={false} />
      </label>
      <Errors errors={[put.error, invalid]} />
      <button type="submit" className="primary" disabled={put.isPending}>
        Create agent
      </button>
    </form>
  );
}
