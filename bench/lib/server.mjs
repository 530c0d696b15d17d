// A tiny static server for the banner benchmark on 127.0.0.1 (port chosen by the OS).
// Uncompressed, `Cache-Control: no-store`, and it logs which banner files each page asked for.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const type = (p) => (p.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');

/**
 * @param {{ pages: Record<string, string>, files: Record<string, string> }} site
 *   pages: URL path -> HTML; files: URL path -> file on disk (read at start, so a rebuild mid-run changes nothing)
 */
export async function startServer({ pages, files }) {
  const bodies = Object.fromEntries(Object.entries(files).map(([u, f]) => [u, readFileSync(f)]));
  /** @type {string[]} */
  const requested = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const html = pages[path];
    const body = bodies[path];
    if (html !== undefined) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
    else if (body) {
      requested.push(path);
      res.writeHead(200, { 'content-type': type(path), 'cache-control': 'no-store' }).end(body);
    } else res.writeHead(404, { 'cache-control': 'no-store' }).end('not found');
  });
  await new Promise((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    origin: `http://127.0.0.1:${port}`,
    bodies,
    /** Banner files requested since the last call. */
    takeRequested: () => requested.splice(0),
    close: () => {
      server.closeAllConnections();
      return new Promise((ok) => server.close(() => ok(undefined)));
    },
  };
}
