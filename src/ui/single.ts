const LIVE = Symbol.for('consentseal');
type Live = { destroy(): void };
const g = globalThis as unknown as Record<symbol, Live | undefined>;

/**
 * One instance per page, even across the script-tag and ESM builds: a second call warns and
 * returns the live instance instead of mounting a second widget. `destroy()` frees the slot.
 */
export function single<T extends Live>(make: () => T): T {
  const live = g[LIVE] as T | undefined;
  if (live) return console.warn('ConsentSeal: already running'), live;
  const inst = (g[LIVE] = make());
  const { destroy } = inst;
  inst.destroy = () => {
    if (g[LIVE] == inst) g[LIVE] = undefined;
    destroy.call(inst);
  };
  return inst;
}
