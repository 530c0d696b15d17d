// Static server for the demo shop: demo/site/ at /, dist/ at /dist/, the script-tag build at /consentseal.js.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml',
};

/** Maps a URL path to a file: /dist/* and /consentseal.js from the build, /spa/* falls back to the SPA shell. */
function fileFor(pathname) {
  const path = normalize(decodeURIComponent(pathname)).replace(/^(\.\.[/\\])+/, '');
  if (path === '/consentseal.js') return join(root, 'dist/consentseal.js');
  if (path.startsWith('/dist/')) return join(root, path);
  if (path.startsWith('/spa/') && !extname(path)) return join(root, 'demo/site/spa/index.html');
  return join(root, 'demo/site', path.endsWith('/') ? `${path}index.html` : path);
}

/**
 * Starts the demo site. `collectorUrl` replaces the collector address in config.js, so the demo
 * works on other ports too.
 */
export function startDemoServer({ port = 8080, host = '127.0.0.1', collectorUrl } = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    try {
      let body = await readFile(fileFor(url.pathname));
      if (url.pathname === '/config.js' && collectorUrl) {
        body = Buffer.from(body.toString('utf8').replace('http://127.0.0.1:8787/receipts', collectorUrl));
      }
      res.writeHead(200, { 'content-type': types[extname(fileFor(url.pathname))] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}
