import type { ConsentPlugin } from '../core/plugin';

const LIVE = Symbol.for('consentseal');
const g = globalThis as unknown as Record<symbol, unknown>;

/**
 * One instance per page, even across the script-tag and ESM builds: a second call warns and
 * returns the live instance instead of mounting a second widget. `make` installs the plugin it is
 * given; its cleanup (run once, by `destroy()`) frees the slot.
 */
export function single<T>(make: (slot: ConsentPlugin) => T): T {
  if (g[LIVE]) return console.warn('ConsentSeal: already running'), g[LIVE] as T;
  return (g[LIVE] = make(() => () => void (g[LIVE] = undefined))) as T;
}
