// Static server for the Playwright tests: dist/, e2e/pages/ and demo/ on http://127.0.0.1:4173 (PORT moves it).
// Pages named *.csp.html are served with a strict Content-Security-Policy (no inline script or style).
// `<!--#include NAME-->` in a page is replaced by e2e/pages/partials/NAME.html, so fixtures share one body.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const port = Number(process.env.PORT ?? 4173);
const allowed = ['dist/', 'e2e/pages/', 'demo/'];
const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
};
export const STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' http://127.0.0.1:* http://localhost:*; frame-src 'self'";

createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '');
  // Browsers ask for one on their own, at a time of their choosing: a 404 would land among the
  // console errors tests count.
  if (path == 'favicon.ico') {
    res.writeHead(204).end();
    return;
  }
  if (!allowed.some((p) => path.startsWith(p))) {
    res.writeHead(404).end('not found');
    return;
  }
  try {
    let body = await readFile(join(root, path));
    if (path.endsWith('.html')) {
      const text = body.toString('utf8');
      const parts = await Promise.all([...text.matchAll(/<!--#include ([\w-]+)-->/g)].map((m) => readFile(join(root, 'e2e/pages/partials', `${m[1]}.html`), 'utf8')));
      let i = 0;
      body = Buffer.from(text.replace(/<!--#include ([\w-]+)-->/g, () => parts[i++]));
    }
    const headers = { 'content-type': types[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' };
    if (path.endsWith('.csp.html')) headers['content-security-policy'] = STRICT_CSP;
    res.writeHead(200, headers).end(body);
  } catch {
    res.writeHead(404).end('not found');
  }
}).listen(port, '127.0.0.1', () => console.log(`e2e server on http://127.0.0.1:${port}`));
