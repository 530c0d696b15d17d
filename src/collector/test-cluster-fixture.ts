// A two-process cluster for cluster-limits.test.ts: the primary runs the shared limits only when told
// (`serve`), so the test sees both the exact shared answer and a worker failing closed without one.
import cluster from 'node:cluster';
import { serveClusterLimits } from './cluster-limits';
import { createCollector } from './server';

const [mode, db] = process.argv.slice(2) as ['serve' | 'silent', string];
if (cluster.isPrimary) {
  if (mode === 'serve') serveClusterLimits();
  const w = cluster.fork();
  w.on('message', (m: { url?: string }) => m.url && console.log(`listening on ${m.url}`));
  process.once('SIGTERM', () => (w.process.kill('SIGKILL'), process.exit(0)));
} else {
  const c = await createCollector({
    db, rateLimit: { perSecond: 0.001, burst: 2 }, clusterLimits: true, log: (line) => console.error(`worker: ${line}`),
  });
  process.send!({ url: await c.listen(0, '127.0.0.1') });
}
