/**
 * Remote agent ids: `agent@node` (that node), `agent@*` (any connected node offering
 * the agent) and `agent@*[k=v,k2=v2]` (any whose labels match every pair).
 */

/** Where a remote agent id says to run. */
export type RemoteTarget =
  | { readonly kind: 'node'; readonly agent: string; readonly nodeId: string }
  | { readonly kind: 'selector'; readonly agent: string; readonly labels: Readonly<Record<string, string>> };

const ID = /^([a-z0-9][a-z0-9_-]{0,63})@(.+)$/;
const NODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const SELECTOR = /^\*(?:\[([^\]]*)\])?$/;
const PAIR = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,63})=([^,=\]]{0,200})$/;

/** The target of a remote agent id, or undefined when `agentType` is not one. */
export function parseRemoteTarget(agentType: string): RemoteTarget | undefined {
  const m = ID.exec(agentType);
  if (m === null) return undefined;
  const agent = m[1] as string;
  const where = m[2] as string;
  if (NODE.test(where)) return { kind: 'node', agent, nodeId: where };
  const s = SELECTOR.exec(where);
  if (s === null) return undefined;
  const labels: Record<string, string> = {};
  const list = s[1]?.trim() ?? '';
  if (list !== '') {
    for (const part of list.split(',')) {
      const p = PAIR.exec(part.trim());
      if (p === null) return undefined;
      labels[p[1] as string] = p[2] as string;
    }
  }
  return { kind: 'selector', agent, labels };
}

/** True when the node `nodeId` with `labels` is one the target may run on. */
export function selects(target: RemoteTarget, nodeId: string, labels: Readonly<Record<string, string>>): boolean {
  if (target.kind === 'node') return target.nodeId === nodeId;
  return Object.entries(target.labels).every(([k, v]) => labels[k] === v);
}
