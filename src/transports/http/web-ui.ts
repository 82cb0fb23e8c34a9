/**
 * The web UI (web/, built by Vite into web/dist): its files at `/`, and index.html for
 * any other page path so a reloaded client-side route still works. Hashed assets are
 * cached for a year; index.html is revalidated every time. Every UI response carries a
 * strict Content-Security-Policy (no inline script, nothing from another host, no
 * framing). The API's own responses are left as they are.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const UI_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/** Paths that are never pages of the UI. */
const NOT_PAGES = /^\/(api|docs|openapi\.json|health|metrics)(\/|$|\?)/;

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Switchboard</title></head>
<body><h1>Switchboard</h1><p>The web UI has not been built. Run <code>npm install</code> (or <code>npm run build:web</code>) and reload.</p>
<p>The API is at <a href="/docs">/docs</a>.</p></body></html>`;

export interface WebUi {
  /** Answers a GET of a page path with index.html; false when the request is not for a page. */
  page(req: FastifyRequest, reply: FastifyReply): boolean;
}

export async function registerWebUi(app: FastifyInstance, options: { readonly root: string }): Promise<WebUi> {
  const index = join(options.root, 'index.html');
  const built = existsSync(index);
  const assets = join(options.root, 'assets');
  if (built) {
    await app.register(fastifyStatic, {
      root: options.root,
      prefix: '/',
      wildcard: true,
      index: false,
      cacheControl: false,
      setHeaders(reply, path) {
        // Vite names assets by content hash: a changed file is a new URL.
        void reply.headers({ ...UI_HEADERS, 'cache-control': path.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'no-cache' });
      },
    });
  }
  // Read once per process: it is a few hundred bytes, and it changes only with a new build.
  const html = built ? readFileSync(index, 'utf8') : NOT_BUILT;
  const sendPage = (reply: FastifyReply): FastifyReply => reply.code(200).headers({ ...UI_HEADERS, 'cache-control': 'no-cache', 'content-type': 'text/html; charset=utf-8' }).send(html);
  app.get('/', { schema: { hide: true } }, (_req, reply) => sendPage(reply));
  return {
    page(req, reply) {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_PAGES.test(req.url)) return false;
      const accept = req.headers.accept ?? '';
      if (!accept.includes('text/html') && !accept.includes('*/*') && accept !== '') return false;
      void sendPage(reply);
      return true;
    },
  };
}
