/**
 * Google Consent Mode v2: tells Google tags (gtag.js, GTM) what the visitor allowed, through the
 * `dataLayer` queue those tags read when they load.
 * @see https://developers.google.com/tag-platform/security/guides/consent
 */
import type { ConsentPlugin } from '../core/plugin';
import type { ConsentState, GoogleConsentModeConfig } from '../core/types';

/** The six consent types a site maps to purposes; `security_storage` is always granted. */
const TYPES = ['ad_storage', 'ad_user_data', 'ad_personalization', 'analytics_storage', 'functionality_storage', 'personalization_storage'] as const;

export type ConsentModeValue = 'granted' | 'denied';

/**
 * The seven Consent Mode values for a set of purpose choices. A type is `granted` only when every
 * purpose mapped to it is granted. Unmapped `ad_*` and `analytics_storage` stay denied; unmapped
 * `functionality_storage` and `personalization_storage` follow every purpose the mapping names
 * (granted once the visitor allowed all of them), since they carry no advertising or measurement.
 */
export function consentModeValues(g: GoogleConsentModeConfig, purposes: Record<string, boolean>): Record<string, ConsentModeValue> {
  const named = TYPES.flatMap((t) => g[t] ?? []);
  const out: Record<string, ConsentModeValue> = {};
  for (const t of TYPES) {
    // `a…` = ad_storage, ad_user_data, ad_personalization, analytics_storage.
    const ids = g[t] ?? (t[0] == 'a' ? [] : named);
    out[t] = ids.length && ids.every((id) => purposes[id]) ? 'granted' : 'denied';
  }
  out.security_storage = 'granted';
  return out;
}

/**
 * Pushes `gtag('consent', 'default', …)` synchronously when the instance is created (so it
 * precedes any Google tag placed after the script), an `update` right away for a returning
 * visitor, and on every decision an `update` followed by a `consentseal_update` event.
 */
export const googleConsentModePlugin: ConsentPlugin = (core) => {
  const g = core.config.googleConsentMode;
  // Without a window (server-side rendering) there are no Google tags to tell.
  if (!g || typeof window == 'undefined') return;
  const w = window as unknown as { dataLayer?: unknown[] };
  const push = (x: unknown) => (w.dataLayer ||= []).push(x);
  // Google's tags only honour consent commands pushed as an `arguments` object, as their snippet does.
  const gtag = function (..._: unknown[]) {
    push(arguments);
  };
  gtag('consent', 'default', {
    ...consentModeValues(g, Object.fromEntries(core.config.purposes.map((p) => [p.id, !!p.required]))),
    wait_for_update: g.wait_for_update ?? 500,
    ...(g.region && { region: g.region }),
  });
  let last = '';
  let sentFor: ConsentState | undefined;
  const update = (s: ConsentState, force?: boolean) => {
    const v = consentModeValues(g, s.purposes);
    const key = JSON.stringify(v);
    if (force || ((last || s.status == 'decided') && key != last)) gtag('consent', 'update', v), (last = key), (sentFor = s);
  };
  update(core.getState());
  // Other state changes (IndexedDB load, another tab) update only when a value changed.
  const offs = [
    core.store.subscribe((s) => update(s)),
    core.on('decision', ({ state, action, method, gpc }) => {
      if (sentFor != state) update(state, true);
      push({ event: 'consentseal_update', consentseal: { purposes: state.purposes, action, method, gpc } });
    }),
  ];
  return () => offs.forEach((f) => f());
};
