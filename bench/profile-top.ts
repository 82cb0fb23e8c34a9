/**
 * Summarizes V8 CPU profiles (from `npm run bench -- --profile`): the functions
 * with the most self time, and self time by package / source directory.
 *
 *   node --import tsx bench/profile-top.ts <file.cpuprofile | dir> [top=25]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function where(url: string): string {
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm?.[1] !== undefined) return nm[1];
  const src = /\/(src|bench)\/(.*)$/.exec(url);
  if (src?.[2] !== undefined) return `${src[1]}/${src[2].split('/').slice(0, -1).join('/') || '.'}`;
  if (url.startsWith('node:')) return url;
  return url === '' ? '(native/vm)' : url.split('/').slice(-2).join('/');
}

function summarize(file: string, top: number): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const byPlace = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const n = byId.get(id);
    if (n === undefined) return;
    const f = n.callFrame;
    const file = f.url.replace(/^file:\/\//, '').split('/').slice(-2).join('/');
    const key = `${f.functionName || '(anonymous)'}  ${file}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    const place = f.functionName.startsWith('(') ? f.functionName : where(f.url);
    byPlace.set(place, (byPlace.get(place) ?? 0) + dt);
    total += dt;
  });
  const idle = byPlace.get('(idle)') ?? 0;
  const busy = total - idle;
  // Percentages are of busy time: idle time (start-up, pauses between runs) says nothing.
  const pct = (v: number): string => `${((100 * v) / busy).toFixed(1).padStart(5)}%`;
  process.stdout.write(`\n${file}\n  ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy; % of busy time\n`);
  const rank = (m: Map<string, number>, n: number): [string, number][] =>
    [...m.entries()].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, n);
  process.stdout.write('  top functions by self time:\n');
  for (const [k, v] of rank(self, top)) process.stdout.write(`  ${pct(v)}  ${k}\n`);
  process.stdout.write('  self time by place:\n');
  for (const [k, v] of rank(byPlace, 15)) process.stdout.write(`  ${pct(v)}  ${k}\n`);
}

const [target, topArg] = process.argv.slice(2);
if (target === undefined) {
  process.stderr.write('usage: node --import tsx bench/profile-top.ts <file.cpuprofile | dir> [top]\n');
  process.exit(2);
}
const files = statSync(target).isDirectory()
  ? readdirSync(target).filter((f) => f.endsWith('.cpuprofile')).sort().map((f) => join(target, f))
  : [target];
for (const f of files) summarize(f, Number(topArg ?? 25));
