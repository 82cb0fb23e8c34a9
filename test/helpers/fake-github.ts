/**
 * A local server speaking the GitHub REST endpoints the pull-request code calls:
 * list open pull requests of a head, get one, create one (422 "already exists" when
 * one is open for that head, as GitHub answers), get a repository. It checks the
 * token, and can be told to answer an error instead.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface FakeGithub {
  readonly url: string;
  readonly requests: { method: string; path: string; authorization: string | undefined; body: unknown }[];
  /** Pull requests created so far, per `owner/repo`. */
  readonly pulls: Map<string, { number: number; head: string; base: string; title: string; body: string; html_url: string; state: 'open' | 'closed' }[]>;
  /** The next answers, by status: 401, 403, 404, 422 … (consumed one per request). */
  failNext(...statuses: number[]): void;
  /** The next listing answers no pull request, as one made just before another caller opened it would. */
  staleListNext(): void;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString('utf8')));
    req.on('end', () => resolve(data));
  });

export async function startFakeGithub(token: string): Promise<FakeGithub> {
  const requests: FakeGithub['requests'] = [];
  const pulls: FakeGithub['pulls'] = new Map();
  const failures: number[] = [];
  let staleList = false;
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const raw = await readBody(req);
    const body = raw === '' ? undefined : (JSON.parse(raw) as unknown);
    requests.push({ method: req.method ?? '', path: url.pathname + url.search, authorization: req.headers.authorization, body });
    const send = (status: number, payload: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    const failure = failures.shift();
    if (failure !== undefined) return send(failure, { message: failure === 422 ? 'Validation Failed' : `failure ${failure}` });
    if (req.headers.authorization !== `token ${token}` && req.headers.authorization !== `Bearer ${token}`) return send(401, { message: 'Bad credentials' });
    const m = /^\/repos\/([^/]+)\/([^/]+)(?:\/pulls(?:\/(\d+))?)?$/.exec(url.pathname);
    if (m === null) return send(404, { message: 'Not Found' });
    const key = `${m[1]}/${m[2]}`;
    const list = pulls.get(key) ?? [];
    const view = (p: (typeof list)[number]) => ({ number: p.number, html_url: p.html_url, state: p.state, merged: false });
    if (!url.pathname.includes('/pulls')) return send(200, { full_name: key, default_branch: 'main' });
    if (m[3] !== undefined) {
      const pr = list.find((p) => p.number === Number(m[3]));
      return pr === undefined ? send(404, { message: 'Not Found' }) : send(200, view(pr));
    }
    if (req.method === 'GET') {
      const head = url.searchParams.get('head') ?? '';
      const wanted = url.searchParams.get('state') ?? 'open';
      const found = list.filter((p) => `${m[1]}:${p.head}` === head && (wanted === 'all' || p.state === wanted));
      if (staleList) {
        staleList = false;
        return send(200, []);
      }
      return send(200, found.map(view));
    }
    const b = body as { head: string; base: string; title: string; body: string };
    if (list.some((p) => p.head === b.head && p.state === 'open')) {
      return send(422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${m[1]}:${b.head}.` }] });
    }
    const pr = { number: list.length + 1, head: b.head, base: b.base, title: b.title, body: b.body, html_url: `https://github.example/${key}/pull/${list.length + 1}`, state: 'open' as const };
    pulls.set(key, [...list, pr]);
    return send(201, { number: pr.number, html_url: pr.html_url });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    pulls,
    failNext: (...statuses) => void failures.push(...statuses),
    staleListNext: () => void (staleList = true),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
