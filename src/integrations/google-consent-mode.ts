/**
 * Google Consent Mode v2: tells Google tags (gtag.js, GTM) what the visitor allowed, through the
 * `dataLayer` queue those tags read when they load.
 * @see https://developers.google.com/tag-platform/security/guides/consent
 */
import { consentModeTypes as TYPES } from '../core/config';
import type { ConsentPlugin } from '../core/plugin';
import type { ConsentState, GoogleConsentModeConfig } from '../core/types';

export type ConsentModeValue = 'granted' | 'denied';

/**
 * The seven Consent Mode values for a set of purpose choices. A type is `granted` only when every
 * purpose mapped to it is granted. Unmapped `ad_*` and `analytics_storage` stay denied; unmapped
 * `functionality_storage` and `personalization_storage` follow every purpose the mapping names
 * (granted once the visitor allowed all of them), since they carry no advertising or measurement.
 */
export function consentModeValues(g: GoogleConsentModeConfig, purposes: Record<string, boolean | undefined>): Record<string, ConsentModeValue> {
  const named = TYPES.flatMap((t) => g[t] ?? []);
  const out: Record<string, ConsentModeValue> = { security_storage: 'granted' };
  for (const t of TYPES) {
    // `a…` = analytics_storage, ad_storage, ad_user_data, ad_personalization.
    const ids = g[t] ?? (t[0] == 'a' ? [] : named);
    out[t] = ids[0] && ids.every((id) => purposes[id]) ? 'granted' : 'denied';
  }
  return out;
}

/** Pushes onto `window.dataLayer`, created if missing (and taken anew: a tag manager may replace it). */
const push = (x: unknown) => ((window as unknown as { dataLayer?: unknown[] }).dataLayer ||= []).push(x);
/** Google's tags only honour consent commands pushed as an `arguments` object, as their snippet does. */
const gtag: (...args: unknown[]) => void = function () {
  push(arguments);
};

/**
 * Fail closed where the SDK cannot start (a config it refuses) on a site that uses Consent Mode:
 * Google tags that meet no consent command behave as if everything were granted, so this denies
 * every type but `security_storage` by default.
 */
export const denyAllByDefault = (): void => gtag('consent', 'default', consentModeValues({}, {}));

/**
 * Pushes `gtag('consent', 'default', …)` synchronously when the instance is created (so it
 * precedes any Google tag placed after the script), an `update` right away for a returning
 * visitor, and on every decision an `update` followed by a `consentseal_update` event.
 */
export const googleConsentModePlugin: ConsentPlugin = (core) => {
  const g = core.config.googleConsentMode;
  // Without a page (server-side rendering) there are no Google tags to tell.
  if (!g || typeof document == 'undefined') return;
  gtag('consent', 'default', {
    ...consentModeValues(g, Object.fromEntries(core.config.purposes.map((p) => [p.id, p.required]))),
    wait_for_update: g.wait_for_update ?? 500,
    ...(g.region && { region: g.region }),
  });
  let last = '';
  /** The state the last update was pushed for. */
  let sentFor: ConsentState | undefined;
  /** Pushes an update when forced, or when a value changed once a decision exists. */
  const update = (s: ConsentState, force?: boolean) => {
    const v = consentModeValues(g, s.purposes);
    const key = JSON.stringify(v);
    if (force || ((last || s.status == 'decided') && key != last)) gtag('consent', 'update', v), (last = key), (sentFor = s);
  };
  /** The event after an update at start, and after each decision's (with its `action`, `method` and `gpc`). */
  const tell = (s: ConsentState, how?: object) => push({ event: 'consentseal_update', consentseal: { purposes: (told = s).purposes, ...how } });
  /** The state the last event was pushed for. */
  let told: ConsentState | undefined;
  // A returning visitor's update is followed by the event too, so tags that fire on it run on every
  // page, not only where the choice was made.
  update(core.getState());
  if (sentFor) tell(sentFor);
  // `destroy()` drops every event listener.
  core.on('decision', ({ state, previous, ...how }) => {
    // Every decision updates once: the store change may have done it already.
    update(state, sentFor != state);
    tell(state, how);
  });
  // Other state changes (IndexedDB load, another tab) update only when a value changed. As a
  // `change` listener installed before gating's, the update is queued before a gated inline gtag
  // snippet runs (synchronously, on the same change), so its `config` is measured as granted.
  // They are followed by the event too (once a decision exists), as a decision here is: a microtask
  // later, when a decision here has told it with its `action`, `method` and `gpc`.
  core.on('change', (s) => {
    update(s);
    queueMicrotask(() => last && told != s && tell(s));
  });
};
