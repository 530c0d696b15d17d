/**
 * A stand-in for the Web Locks API in unit tests (Node and happy-dom have none): each lock name is a
 * queue where a request runs once the one before it settled, as `navigator.locks.request` grants
 * them. Import it for its effect; it installs itself on `navigator` (made in Node, where there is none).
 */
let queues = new Map<string, Promise<unknown>>();
/** A new page: the locks the old one held (its tasks may never settle) are released, as a closed page's are. */
export const newPage = () => void (queues = new Map());
const locks = {
  request(name: string, fn: () => Promise<unknown>) {
    const run = (queues.get(name) ?? Promise.resolve()).then(fn, fn);
    queues.set(name, run.catch(() => {}));
    return run;
  },
};
// happy-dom's navigator answers `locks` with null from a getter; Node 20 has no navigator at all.
if (globalThis.navigator) Object.defineProperty(globalThis.navigator, 'locks', { value: locks, configurable: true });
else Object.defineProperty(globalThis, 'navigator', { value: { locks }, configurable: true });
