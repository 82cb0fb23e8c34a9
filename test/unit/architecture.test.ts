/**
 * DESIGN.md's dependency rule, enforced by reading the import specifiers of every
 * .ts file under src/ (static imports, `export … from`, side-effect imports,
 * dynamic `import()` and `require()`).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'src');
const MAX_LINES = 400;
const CLOSE_TO_MAX = 300;

/** Top-level folders of src/ and what each may import of ours (besides itself). */
const KNOWN_FOLDERS = ['core', 'security', 'services', 'store', 'agents', 'skills', 'transports', 'wire', 'cli', 'integrations', 'config', 'app'] as const;
type Folder = (typeof KNOWN_FOLDERS)[number];
/**
 * Sub-folders of src/core, cut by role, and what each may import of core (besides itself).
 * `testing/` (in-memory doubles for tests) may import all of core; production code
 * outside core may import neither `testing/` nor the engine's internals (only app/ builds
 * the engine).
 */
const CORE_PARTS = ['domain', 'ports', 'services', 'engine', 'testing'] as const;
type CorePart = (typeof CORE_PARTS)[number];
const CORE_MAY_IMPORT: Readonly<Record<CorePart, readonly CorePart[]>> = {
  domain: [],
  ports: ['domain'],
  services: ['domain', 'ports'],
  engine: ['domain', 'ports', 'services'],
  testing: ['domain', 'ports', 'services', 'engine'],
};

const MAY_IMPORT: Readonly<Record<Folder, readonly Folder[] | 'anything'>> = {
  core: [],
  security: ['core'],
  services: ['core', 'security'],
  store: ['core'],
  // Only agents/assembly/ (which builds agents from the configuration) reaches config and integrations.
  agents: ['core', 'config', 'integrations'],
  skills: ['core'],
  transports: ['core', 'wire'],
  wire: ['core'],
  cli: ['core', 'wire', 'config'],
  integrations: ['core'],
  config: [],
  app: 'anything',
};

/**
 * Sub-folders of src/security and what each may import of security (besides itself):
 * audit proper (the hash chain) stands alone; authorization (authorizers, the guard,
 * the secure runtime) may verify the chain; authentication (credentials, sessions,
 * devices) checks permissions through the guard.
 */
const SECURITY_PARTS = ['audit', 'authorization', 'authentication'] as const;
type SecurityPart = (typeof SECURITY_PARTS)[number];
const SECURITY_MAY_IMPORT: Readonly<Record<SecurityPart, readonly SecurityPart[]>> = {
  audit: [],
  authorization: ['audit'],
  authentication: ['authorization', 'audit'],
};

interface Specifier {
  readonly text: string;
  /** `export` for re-exports (`export … from`), else `import`. */
  readonly kind?: 'import' | 'export';
  /** False for `import(expr)` / `require(expr)` with a computed argument. */
  readonly literal: boolean;
}

/** Drops comments so that examples in doc comments are not taken for imports. */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[\s;{}])\/\/.*$/gm, '$1');
}

/** Every module specifier a TypeScript source refers to. */
function importSpecifiers(source: string): Specifier[] {
  const code = stripComments(source);
  const out: Specifier[] = [];
  const literal = (text: string | undefined): void => {
    if (text !== undefined) out.push({ text, literal: true });
  };
  for (const m of code.matchAll(/^\s*(import|export)\b[^;'"]*?\bfrom\s*['"]([^'"\n]+)['"]/gm)) {
    if (m[2] !== undefined) out.push({ text: m[2], literal: true, kind: m[1] === 'export' ? 'export' : 'import' });
  }
  for (const m of code.matchAll(/^\s*import\s*['"]([^'"\n]+)['"]/gm)) literal(m[1]);
  for (const m of code.matchAll(/(?<![.\w$])(?:import|require)\s*\(\s*([^)]*?)\s*[),]/g)) {
    const arg = m[1] ?? '';
    const quoted = /^(['"`])([^'"`$]+)\1$/.exec(arg);
    if (quoted) literal(quoted[2]);
    else out.push({ text: arg, literal: false });
  }
  return out;
}

function listTsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listTsFiles(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}

const rel = (p: string): string => relative(ROOT, p).split(sep).join('/');

/** The top-level folder of src/ a path is in, or undefined outside src/. */
function folderOf(absPath: string): string | undefined {
  const r = relative(SRC, absPath);
  if (r.startsWith('..') || r === '') return undefined;
  return r.split(sep)[0];
}

/** The sub-folder of src/core a path is in, or undefined outside src/core. */
function corePartOf(absPath: string): string | undefined {
  const r = relative(join(SRC, 'core'), absPath);
  if (r.startsWith('..') || r === '') return undefined;
  const parts = r.split(sep);
  return parts.length > 1 ? parts[0] : '';
}

/** The sub-folder of src/security a path is in ('' for a file directly in it), or undefined outside it. */
function securityPartOf(absPath: string): string | undefined {
  const r = relative(join(SRC, 'security'), absPath);
  if (r.startsWith('..') || r === '') return undefined;
  const parts = r.split(sep);
  return parts.length > 1 ? parts[0] : '';
}

interface Import {
  readonly file: string;
  readonly folder: string;
  readonly specifier: Specifier;
  /** `export` for a re-export, else `import`. */
  readonly statement: string;
  /** Absolute path for relative specifiers; undefined for packages and node builtins. */
  readonly target: string | undefined;
}

const FILES = listTsFiles(SRC);
const IMPORTS: readonly Import[] = FILES.flatMap((file) =>
  importSpecifiers(readFileSync(file, 'utf8')).map((specifier) => ({
    file,
    folder: folderOf(file) ?? '?',
    specifier,
    statement: specifier.kind ?? 'import',
    target: specifier.literal && specifier.text.startsWith('.') ? resolve(dirname(file), specifier.text) : undefined,
  })),
);

const show = (i: Import): string => `${rel(i.file)} -> ${i.specifier.text}`;

function report(violations: readonly Import[], rule: string): void {
  assert.equal(violations.length, 0, `${rule}:\n  ${violations.map(show).join('\n  ')}`);
}

describe('importSpecifiers (the scanner the rules rely on)', () => {
  it('finds static, multi-line, type-only, re-export, side-effect, dynamic and require imports', () => {
    const sample = [
      "import { a } from './a.ts';",
      'import type {',
      '  B,',
      '  C,',
      "} from '../b.ts';",
      "import * as d from 'node:fs';",
      "import def, { e } from \"pkg-e\";",
      "export { f } from './f.ts';",
      "export * from '@scope/g';",
      "export type { H } from './h.ts';",
      "import './side-effect.ts';",
      "const i = await import('./i.ts');",
      "const j = await import(`./j.ts`);",
      "const k = require('k');",
      'const l = await import(name);',
      "/** import { no } from './in-a-doc-comment.ts'; */",
      "// import { no2 } from './in-a-line-comment.ts';",
      "const url = 'postgres://host/db'; const s = 'from here';",
      "x.import('not-a-module');",
    ].join('\n');
    assert.deepEqual(
      importSpecifiers(sample).map((s) => (s.literal ? s.text : `<computed ${s.text}>`)).sort(),
      [
        '../b.ts',
        './a.ts',
        './f.ts',
        './h.ts',
        './i.ts',
        './j.ts',
        './side-effect.ts',
        '<computed name>',
        '@scope/g',
        'k',
        'node:fs',
        'pkg-e',
      ].sort(),
    );
  });

  it('scans a non-trivial number of files and imports in every present folder', () => {
    assert.ok(FILES.length > 20, `only ${FILES.length} files found under src/`);
    for (const folder of ['core', 'security', 'services', 'store', 'agents', 'transports', 'config', 'app']) {
      assert.ok(
        IMPORTS.some((i) => i.folder === folder),
        `no imports found in src/${folder}: the scanner is probably broken`,
      );
    }
  });
});

/** The rules, as predicates over one import: true means a violation. */
const RULES: Readonly<Record<string, (i: Import) => boolean>> = {
  'computed import()/require() specifiers': (i) => !i.specifier.literal,
  'relative imports that leave src/ or name no file': (i) =>
    i.target !== undefined && (folderOf(i.target) === undefined || !existsSync(i.target)),
  'src/core imports something outside src/core (node:*, npm or another folder)': (i) =>
    i.folder === 'core' && (i.target === undefined || folderOf(i.target) !== 'core'),
  'a folder imports one of ours it may not': (i) => {
    const allowed = MAY_IMPORT[i.folder as Folder];
    if (allowed === undefined || allowed === 'anything' || i.target === undefined) return false;
    const to = folderOf(i.target) ?? '';
    return to !== i.folder && !allowed.includes(to as Folder);
  },
  'src/transports imports the store, agents, security, skills, config or app': (i) =>
    i.folder === 'transports' &&
    i.target !== undefined &&
    ['store', 'agents', 'security', 'skills', 'app', 'config'].includes(folderOf(i.target) ?? ''),
  'src/core has a file outside its role sub-folders': (i) => i.folder === 'core' && !(CORE_PARTS as readonly string[]).includes(corePartOf(i.file) ?? ''),
  'a core sub-folder imports one it may not': (i) => {
    const from = corePartOf(i.file) as CorePart | undefined;
    if (from === undefined || i.target === undefined || folderOf(i.target) !== 'core') return false;
    const to = corePartOf(i.target) ?? '';
    return to !== from && !(CORE_MAY_IMPORT[from] ?? []).includes(to as CorePart);
  },
  'src/security has a file outside its sub-folders (authentication, authorization, audit)': (i) =>
    i.folder === 'security' && !(SECURITY_PARTS as readonly string[]).includes(securityPartOf(i.file) ?? ''),
  'a security sub-folder imports one it may not': (i) => {
    const from = securityPartOf(i.file) as SecurityPart | undefined;
    if (from === undefined || i.target === undefined || folderOf(i.target) !== 'security') return false;
    const to = securityPartOf(i.target) ?? '';
    return to !== from && !(SECURITY_MAY_IMPORT[from] ?? []).includes(to as SecurityPart);
  },
  'an agent outside agents/assembly/ imports config or integrations': (i) =>
    i.folder === 'agents' &&
    !rel(i.file).startsWith('src/agents/assembly/') &&
    i.target !== undefined &&
    ['config', 'integrations'].includes(folderOf(i.target) ?? ''),
  'code outside core imports the engine internals or the test doubles': (i) =>
    i.folder !== 'core' &&
    i.folder !== 'app' &&
    i.target !== undefined &&
    ['engine', 'testing'].includes(corePartOf(i.target) ?? ''),
  'app imports the test doubles': (i) => i.folder === 'app' && i.target !== undefined && corePartOf(i.target) === 'testing',
  'a port file re-exports (ports are one file per port, no barrel)': (i) =>
    corePartOf(i.file) === 'ports' && /^export\b/.test(i.statement),
  'src/app imported from outside it': (i) => i.folder !== 'app' && i.target !== undefined && folderOf(i.target) === 'app',
  'src/wire imports more of core than its domain': (i) =>
    i.folder === 'wire' && i.target !== undefined && folderOf(i.target) === 'core' && corePartOf(i.target) !== 'domain',
  'src/cli imports more of core than its domain': (i) =>
    i.folder === 'cli' && i.target !== undefined && folderOf(i.target) === 'core' && corePartOf(i.target) !== 'domain',
  'src/transports/telegram imports the http transport (each transport stands alone)': (i) =>
    rel(i.file).startsWith('src/transports/telegram/') && i.target !== undefined && rel(i.target).startsWith('src/transports/http/'),
  'src/transports/link and the http transport import each other (the app hands the node routes to the server)': (i) => {
    if (i.target === undefined) return false;
    const from = rel(i.file);
    const to = rel(i.target);
    return (from.startsWith('src/transports/link/') && to.startsWith('src/transports/http/')) || (from.startsWith('src/transports/http/') && to.startsWith('src/transports/link/'));
  },
  'src/transports/ws imports another transport (each transport stands alone)': (i) =>
    rel(i.file).startsWith('src/transports/ws/') &&
    i.target !== undefined &&
    rel(i.target).startsWith('src/transports/') &&
    !rel(i.target).startsWith('src/transports/ws/'),
  'src/transports/ws imported from outside it and src/app': (i) =>
    !rel(i.file).startsWith('src/transports/ws/') && i.folder !== 'app' && i.target !== undefined && rel(i.target).startsWith('src/transports/ws/'),
  'src/transports/mcp imports more of the http transport than its error mapping and bearer parsing': (i) =>
    rel(i.file).startsWith('src/transports/mcp/') &&
    i.target !== undefined &&
    rel(i.target).startsWith('src/transports/http/') &&
    !['src/transports/http/error-map.ts', 'src/transports/http/bearer.ts'].includes(rel(i.target)),
  'the MCP transport imported from outside it and src/app': (i) =>
    i.target !== undefined &&
    rel(i.target).startsWith('src/transports/mcp/') &&
    !rel(i.file).startsWith('src/transports/mcp/') &&
    i.folder !== 'app',
  'src/cli builds an MCP server of its own (the tools are the server\'s; the CLI only relays)': (i) =>
    i.folder === 'cli' && i.specifier.text === '@modelcontextprotocol/sdk/server/mcp.js',
  'src/config imports another src/ folder': (i) =>
    i.folder === 'config' && i.target !== undefined && folderOf(i.target) !== 'config',
};

/** Every import circle of a graph, as `a -> b -> a` (one per strongly connected component; Tarjan). */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0));
    }
    if (low.get(v) !== idx.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    const selfLoop = component.length === 1 && (graph.get(v) ?? []).includes(v);
    if (component.length > 1 || selfLoop) {
      const members = new Set(component);
      // One concrete path around the component, starting from its first member in order.
      const start = [...component].sort()[0] ?? v;
      const path = [start];
      for (let at = start; ; ) {
        const next = (graph.get(at) ?? []).filter((n) => members.has(n)).sort();
        const unseen = next.find((n) => !path.includes(n));
        if (unseen === undefined) {
          path.push(next.includes(start) ? start : (next[0] ?? start));
          break;
        }
        path.push(unseen);
        at = unseen;
      }
      out.push(path.join(' -> '));
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return out.sort();
}

function importCycles(): string[] {
  const graph = new Map<string, string[]>();
  for (const i of IMPORTS) {
    if (i.target === undefined || folderOf(i.target) === undefined) continue;
    const from = rel(i.file);
    graph.set(from, [...(graph.get(from) ?? []), rel(i.target)]);
  }
  return findCycles(graph);
}

function check(rule: string): void {
  const predicate = RULES[rule];
  assert.ok(predicate, rule);
  report(IMPORTS.filter(predicate), rule);
}

/** A made-up import, to show each rule catches what it should. */
function fake(from: string, text: string): Import {
  const file = join(SRC, from);
  return {
    file,
    folder: folderOf(file) ?? '?',
    specifier: { text, literal: true },
    statement: 'import',
    target: text.startsWith('.') ? resolve(dirname(file), text) : undefined,
  };
}

const flags = (rule: string, i: Import): boolean => RULES[rule]?.(i) ?? assert.fail(rule);

describe('the dependency rule of DESIGN.md', () => {
  it('knows every top-level folder of src/ (a new folder needs a rule here)', () => {
    const present = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
    const unknown = present.filter((n) => !(KNOWN_FOLDERS as readonly string[]).includes(n));
    assert.deepEqual(unknown, [], `add these folders to the architecture test: ${unknown.join(', ')}`);
    const loose = readdirSync(SRC).filter((n) => n.endsWith('.ts'));
    assert.deepEqual(loose, [], 'every source file belongs in a folder of the layout');
  });

  it('uses only literal module specifiers, so every import can be checked', () => {
    check('computed import()/require() specifiers');
  });

  it('resolves every relative import to an existing file inside src/', () => {
    check('relative imports that leave src/ or name no file');
  });

  it('keeps core pure: no node:* module, no npm package, nothing outside src/core', () => {
    check('src/core imports something outside src/core (node:*, npm or another folder)');
  });

  it('lets security, store, agents, skills, integrations and transports import only themselves and src/core of ours', () => {
    check('a folder imports one of ours it may not');
  });

  it('never lets a transport import the store, the agents or security internals', () => {
    check('src/transports imports the store, agents, security, skills, config or app');
  });

  it('keeps the Telegram transport apart from the HTTP one (the app hands it the webhook route)', () => {
    check('src/transports/telegram imports the http transport (each transport stands alone)');
    const rule = 'src/transports/telegram imports the http transport (each transport stands alone)';
    assert.equal(flags(rule, fake('transports/telegram/x.ts', '../http/error-map.ts')), true);
    assert.equal(flags(rule, fake('transports/telegram/x.ts', '../../core/services/runtime.ts')), false);
    assert.equal(flags('src/transports imports the store, agents, security, skills, config or app', fake('transports/telegram/x.ts', '../../store/kysely-telegram-store.ts')), true);
  });

  it('keeps the node link apart from the HTTP transport (the app hands it the routes)', () => {
    const rule = 'src/transports/link and the http transport import each other (the app hands the node routes to the server)';
    check(rule);
    assert.equal(flags(rule, fake('transports/link/x.ts', '../http/error-map.ts')), true);
    assert.equal(flags(rule, fake('transports/http/x.ts', '../link/node-hub.ts')), true);
    assert.equal(flags(rule, fake('transports/link/x.ts', '../../core/ports/agent-adapter.ts')), false);
    assert.equal(flags('src/transports imports the store, agents, security, skills, config or app', fake('transports/link/x.ts', '../../agents/registry/mutable-registry.ts')), true);
  });

  it('keeps the WebSocket transport apart: it imports core and wire (never http, telegram, store or security), and only app imports it', () => {
    const alone = 'src/transports/ws imports another transport (each transport stands alone)';
    const onlyApp = 'src/transports/ws imported from outside it and src/app';
    const inner = 'src/transports imports the store, agents, security, skills, config or app';
    check(alone);
    check(onlyApp);
    assert.ok(IMPORTS.some((i) => rel(i.file).startsWith('src/transports/ws/')), 'the ws transport was scanned');
    assert.equal(flags(alone, fake('transports/ws/x.ts', '../http/error-map.ts')), true);
    assert.equal(flags(alone, fake('transports/ws/x.ts', '../telegram/telegram-bot.ts')), true);
    assert.equal(flags(alone, fake('transports/ws/x.ts', './ws-sender.ts')), false);
    assert.equal(flags(alone, fake('transports/ws/x.ts', '../../wire/ws-protocol.ts')), false);
    assert.equal(flags(inner, fake('transports/ws/x.ts', '../../security/authentication/authenticator.ts')), true);
    assert.equal(flags(inner, fake('transports/ws/x.ts', '../../store/open-store.ts')), true);
    assert.equal(flags(inner, fake('transports/ws/x.ts', '../../core/services/runtime.ts')), false);
    assert.equal(flags(onlyApp, fake('transports/http/x.ts', '../ws/ws-transport.ts')), true);
    assert.equal(flags(onlyApp, fake('cli/x.ts', '../transports/ws/ws-transport.ts')), true);
    assert.equal(flags(onlyApp, fake('app/x.ts', '../transports/ws/ws-transport.ts')), false);
  });

  it('keeps the MCP transport to core, wire and the http error mapping and bearer parsing; only app builds it; the CLI only relays', () => {
    const http = 'src/transports/mcp imports more of the http transport than its error mapping and bearer parsing';
    const outside = 'the MCP transport imported from outside it and src/app';
    const relay = 'src/cli builds an MCP server of its own (the tools are the server\'s; the CLI only relays)';
    check(http);
    check(outside);
    check(relay);
    assert.equal(flags(http, fake('transports/mcp/x.ts', '../http/task-routes.ts')), true);
    assert.equal(flags(http, fake('transports/mcp/x.ts', '../http/error-map.ts')), false);
    assert.equal(flags(outside, fake('transports/http/x.ts', '../mcp/mcp-server.ts')), true);
    assert.equal(flags(outside, fake('app/x.ts', '../transports/mcp/mcp-server.ts')), false);
    assert.equal(flags(relay, fake('cli/x.ts', '@modelcontextprotocol/sdk/server/mcp.js')), true);
    assert.equal(flags(relay, fake('cli/x.ts', '@modelcontextprotocol/sdk/server/stdio.js')), false);
    assert.equal(flags('a folder imports one of ours it may not', fake('cli/x.ts', '../transports/mcp/mcp-server.ts')), true);
    assert.equal(flags('src/transports imports the store, agents, security, skills, config or app', fake('transports/mcp/x.ts', '../../security/authorization/guard.ts')), true);
  });

  it('keeps every file of src/core in one of its role sub-folders (domain, ports, services, engine, testing)', () => {
    const loose = FILES.filter((f) => folderOf(f) === 'core' && !(CORE_PARTS as readonly string[]).includes(corePartOf(f) ?? ''));
    assert.deepEqual(loose.map(rel), []);
    const present = readdirSync(join(SRC, 'core')).filter((n) => statSync(join(SRC, 'core', n)).isDirectory());
    assert.deepEqual(present.filter((n) => !(CORE_PARTS as readonly string[]).includes(n)), [], 'a new core sub-folder needs a rule here');
  });

  it('orders the core: domain imports nothing, ports only domain, services domain and ports, engine all but testing', () => {
    check('a core sub-folder imports one it may not');
  });

  it('keeps the engine internals and the test doubles to core (and the engine to app, which builds it)', () => {
    check('code outside core imports the engine internals or the test doubles');
    check('app imports the test doubles');
  });

  it('has one file per port and no barrel file re-exporting ports', () => {
    check('a port file re-exports (ports are one file per port, no barrel)');
  });

  it('has no import circle in src/ (type-only imports count)', () => {
    const cycles = importCycles();
    assert.deepEqual(cycles, [], `import circles:\n  ${cycles.join('\n  ')}`);
  });

  it('keeps the wire layer to core/domain, and the CLI (an HTTP client) to wire, config and core/domain', () => {
    check('src/wire imports more of core than its domain');
    assert.equal(flags('src/wire imports more of core than its domain', fake('wire/x.ts', '../core/services/runtime.ts')), true);
    check('src/cli imports more of core than its domain');
    assert.equal(flags('src/cli imports more of core than its domain', fake('cli/x.ts', '../core/engine/engine.ts')), true);
    assert.equal(flags('a folder imports one of ours it may not', fake('cli/x.ts', '../transports/http/sse.ts')), true);
    assert.equal(flags('a folder imports one of ours it may not', fake('cli/x.ts', '../store/open-store.ts')), true);
    assert.equal(flags('a folder imports one of ours it may not', fake('wire/x.ts', '../transports/http/sse.ts')), true);
    assert.equal(flags('src/cli imports more of core than its domain', fake('cli/x.ts', '../core/domain/task.ts')), false);
  });

  it('keeps security in its sub-folders: audit alone, authorization may verify the chain, authentication checks through the guard', () => {
    const rule = 'src/security has a file outside its sub-folders (authentication, authorization, audit)';
    const order = 'a security sub-folder imports one it may not';
    check(rule);
    check(order);
    assert.equal(flags(rule, fake('security/x.ts', '../core/domain/task.ts')), true);
    assert.equal(flags(order, fake('security/audit/x.ts', '../authorization/guard.ts')), true);
    assert.equal(flags(order, fake('security/authorization/x.ts', '../authentication/passwords.ts')), true);
    assert.equal(flags(order, fake('security/authentication/x.ts', '../authorization/guard.ts')), false);
    assert.equal(flags('a folder imports one of ours it may not', fake('security/authorization/x.ts', '../../services/user-admin.ts')), true);
    assert.equal(flags('a folder imports one of ours it may not', fake('services/x.ts', '../security/authentication/passwords.ts')), false);
  });

  it('decides permissions only in the authorizers: every other check goes through the guard', () => {
    // hasPermission reads the role table alone: a service calling it would skip resource policies and device trust.
    const deciders = new Set(['src/security/authorization/role-authorizer.ts', 'src/security/authorization/policy-authorizer.ts']);
    const offenders = FILES.filter((f) => folderOf(f) !== 'core' && !deciders.has(rel(f)))
      .filter((f) => /\b(hasPermission|roleTableDecision)\s*\(/.test(stripComments(readFileSync(f, 'utf8'))))
      .map(rel);
    assert.deepEqual(offenders, []);
  });

  it('keeps agent adapters to core: only agents/assembly/ reads the configuration and the integrations', () => {
    const rule = 'an agent outside agents/assembly/ imports config or integrations';
    check(rule);
    assert.equal(flags(rule, fake('agents/openai/x.ts', '../../config/schema.ts')), true);
    assert.equal(flags(rule, fake('agents/assembly/x.ts', '../../config/schema.ts')), false);
    assert.equal(flags('a folder imports one of ours it may not', fake('agents/assembly/x.ts', '../../services/agent-admin.ts')), true);
  });

  it('lets nothing outside src/app import src/app', () => {
    check('src/app imported from outside it');
  });

  it('keeps src/config free of every other src/ folder', () => {
    check('src/config imports another src/ folder');
  });

  it('flags each kind of violation when it is made up', () => {
    const core = 'src/core imports something outside src/core (node:*, npm or another folder)';
    const folders = 'a folder imports one of ours it may not';
    const transports = 'src/transports imports the store, agents, security, skills, config or app';
    const app = 'src/app imported from outside it';
    const config = 'src/config imports another src/ folder';
    assert.equal(flags(core, fake('core/engine/x.ts', 'node:crypto')), true);
    assert.equal(flags(core, fake('core/x.ts', 'zod')), true);
    assert.equal(flags(core, fake('core/x.ts', '../security/audit-chain.ts')), true);
    assert.equal(flags(core, fake('core/engine/x.ts', '../domain/errors.ts')), false);
    assert.equal(flags(folders, fake('security/x.ts', '../store/schema.ts')), true);
    assert.equal(flags(folders, fake('store/x.ts', '../agents/registry.ts')), true);
    assert.equal(flags(folders, fake('agents/echo/x.ts', '../../skills/skill-catalog.ts')), true);
    assert.equal(flags(folders, fake('skills/x.ts', '../security/tokens.ts')), true);
    assert.equal(flags(folders, fake('agents/echo/x.ts', '../registry.ts')), false);
    assert.equal(flags(folders, fake('security/x.ts', '../core/ports/clock.ts')), false);
    assert.equal(flags(folders, fake('security/x.ts', 'node:crypto')), false);
    assert.equal(flags(transports, fake('transports/http/x.ts', '../../store/open-store.ts')), true);
    assert.equal(flags(transports, fake('transports/http/x.ts', '../../security/authenticator.ts')), true);
    assert.equal(flags(transports, fake('transports/http/x.ts', '../../core/services/runtime.ts')), false);
    assert.equal(flags(app, fake('cli/x.ts', '../app/create-app.ts')), true);
    assert.equal(flags(app, fake('app/main.ts', './create-app.ts')), false);
    assert.equal(flags(config, fake('config/x.ts', '../core/errors.ts')), true);
    assert.equal(flags(config, fake('config/x.ts', './schema.ts')), false);
    const parts = 'a core sub-folder imports one it may not';
    assert.equal(flags(parts, fake('core/domain/x.ts', '../ports/clock.ts')), true);
    assert.equal(flags(parts, fake('core/ports/x.ts', '../engine/engine.ts')), true);
    assert.equal(flags(parts, fake('core/ports/x.ts', '../services/runtime.ts')), true);
    assert.equal(flags(parts, fake('core/services/x.ts', '../engine/engine.ts')), true);
    assert.equal(flags(parts, fake('core/engine/x.ts', '../testing/fake-clock.ts')), true);
    assert.equal(flags(parts, fake('core/engine/x.ts', '../services/runtime.ts')), false);
    assert.equal(flags(parts, fake('core/ports/x.ts', '../domain/task.ts')), false);
    assert.equal(flags(parts, fake('core/testing/x.ts', '../engine/engine.ts')), false);
    const internals = 'code outside core imports the engine internals or the test doubles';
    assert.equal(flags(internals, fake('security/x.ts', '../core/engine/approval-wait.ts')), true);
    assert.equal(flags(internals, fake('store/x.ts', '../core/testing/memory-task-store.ts')), true);
    assert.equal(flags(internals, fake('security/x.ts', '../core/domain/waiting.ts')), false);
    assert.equal(flags('app imports the test doubles', fake('app/x.ts', '../core/testing/fake-clock.ts')), true);
    assert.equal(flags('src/core has a file outside its role sub-folders', fake('core/x.ts', './domain/task.ts')), true);
    assert.equal(
      flags('a port file re-exports (ports are one file per port, no barrel)', { ...fake('core/ports/index.ts', './clock.ts'), statement: 'export' }),
      true,
    );
    assert.deepEqual(findCycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['d']], ['e', ['a']]])), ['a -> b -> c -> a', 'd -> d']);
    assert.equal(flags('relative imports that leave src/ or name no file', fake('app/x.ts', '../../test/helpers/databases.ts')), true);
  });
});

describe('the pure core', () => {
  /** Ambient clock, randomness and process access: the core gets these through ports. */
  const AMBIENT: readonly [string, RegExp][] = [
    ['Date.now()', /\bDate\.now\s*\(/],
    ['new Date()', /\bnew\s+Date\s*\(/],
    ['Math.random()', /\bMath\.random\s*\(/],
    ['process', /(?<![.\w$])process\s*\./],
    ['crypto', /(?<![.\w$])crypto\s*\./],
    ['performance', /(?<![.\w$])performance\s*\./],
    ['console', /(?<![.\w$])console\s*\./],
    ['Buffer', /(?<![.\w$])Buffer\b/],
    ['a global timer', /(?<![.\w$])(?:setTimeout|setInterval|setImmediate|queueMicrotask)\s*\((?!\s*\w+\s*:)/],
  ];

  it('reads no clock, randomness or process state except through its ports', () => {
    const found: string[] = [];
    for (const file of FILES.filter((f) => folderOf(f) === 'core')) {
      const lines = stripComments(readFileSync(file, 'utf8')).split('\n');
      lines.forEach((line, n) => {
        for (const [what, re] of AMBIENT) if (re.test(line)) found.push(`${rel(file)}:${n + 1} uses ${what}`);
      });
    }
    assert.deepEqual(found, []);
  });
});

describe('file size', () => {
  const sizes = FILES.map((file) => {
    const text = readFileSync(file, 'utf8');
    const lines = text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    return { file: rel(file), lines };
  });

  it(`keeps every .ts file under src/ at ${MAX_LINES} lines or fewer`, (t) => {
    const close = sizes.filter((s) => s.lines > CLOSE_TO_MAX && s.lines <= MAX_LINES);
    for (const s of close) t.diagnostic(`close to the limit: ${s.file} has ${s.lines} lines`);
    const over = sizes.filter((s) => s.lines > MAX_LINES);
    assert.deepEqual(over, [], `files over ${MAX_LINES} lines:\n  ${over.map((s) => `${s.file} (${s.lines})`).join('\n  ')}`);
  });
});

/**
 * The web UI (web/src) is a client of the HTTP API like any other: it may import itself,
 * the browser libraries it is built with, and of the server only the wire model's types
 * (`import type` from src/wire) and the dependency-free domain (src/core/domain), never
 * anything that runs on the server.
 */
describe('the web UI', () => {
  const WEB = join(ROOT, 'web', 'src');
  const PACKAGES = ['react', 'react-dom', 'react-router', 'react-markdown', '@tanstack/react-query', '@dnd-kit/core', '@dnd-kit/sortable', '@dnd-kit/utilities'];
  const listWeb = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? listWeb(p) : /\.tsx?$/.test(name) ? [p] : [];
    });
  const imports = listWeb(WEB).flatMap((file) => {
    const source = readFileSync(file, 'utf8');
    return importSpecifiers(source).map((s) => {
      const line = stripComments(source)
        .split('\n')
        .find((l) => l.includes(`'${s.text}'`));
      return { file, text: s.text, typeOnly: line !== undefined && /^\s*(import|export)\s+type\b/.test(line) };
    });
  });

  it('imports only itself, its browser libraries, the wire types and the domain', () => {
    assert.ok(imports.length > 20, `scanned ${imports.length} imports`);
    const bad = imports.filter((i) => {
      if (!i.text.startsWith('.')) return !PACKAGES.some((p) => i.text === p || i.text.startsWith(`${p}/`)) && !(i.typeOnly && i.text === 'zod');
      const target = resolve(dirname(i.file), i.text);
      if (target.startsWith(WEB + sep)) return false;
      if (target.startsWith(join(SRC, 'core', 'domain') + sep)) return false;
      return !(i.typeOnly && target.startsWith(join(SRC, 'wire') + sep));
    });
    assert.deepEqual(bad.map((i) => `${rel(i.file)} -> ${i.text}${i.typeOnly ? ' (type)' : ''}`), []);
  });
});
