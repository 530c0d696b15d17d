// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { createConsentCore } from '../core/consent';
import type { DecisionStorage, StoredDecision } from '../storage/persistence';
import { consentModeValues, denyAllByDefault, googleConsentModePlugin } from './google-consent-mode';

const mapping = { analytics_storage: ['analytics'], ad_storage: ['marketing'], ad_user_data: ['marketing'], ad_personalization: ['marketing'] };
const config = {
  policyVersion: 'v1',
  policyUrl: '/privacy',
  purposes: [{ id: 'necessary', required: true }, { id: 'analytics' }, { id: 'marketing', optOutSignal: true }],
  googleConsentMode: mapping,
};
const D = 'denied';
const G = 'granted';

describe('consentModeValues', () => {
  it('grants a type only when every purpose mapped to it is granted; security_storage always', () => {
    expect(consentModeValues(mapping, { analytics: true, marketing: false })).toEqual({
      analytics_storage: G, ad_storage: D, ad_user_data: D, ad_personalization: D,
      functionality_storage: D, personalization_storage: D, security_storage: G,
    });
    expect(consentModeValues({ ad_storage: ['marketing', 'analytics'] }, { analytics: true, marketing: false }).ad_storage).toBe(D);
    expect(consentModeValues({ ad_storage: ['marketing', 'analytics'] }, { analytics: true, marketing: true }).ad_storage).toBe(G);
  });
  it('leaves unmapped ad and analytics types denied', () => {
    const v = consentModeValues({ functionality_storage: ['necessary'] }, { necessary: true, analytics: true, marketing: true });
    expect([v.ad_storage, v.ad_user_data, v.ad_personalization, v.analytics_storage]).toEqual([D, D, D, D]);
    expect(v.functionality_storage).toBe(G);
  });
  it('grants unmapped functionality/personalization storage once every mapped purpose is granted', () => {
    expect(consentModeValues(mapping, { analytics: true, marketing: false }).functionality_storage).toBe(D);
    const all = consentModeValues(mapping, { analytics: true, marketing: true });
    expect([all.functionality_storage, all.personalization_storage]).toEqual([G, G]);
    expect(consentModeValues({ personalization_storage: ['analytics'] }, { analytics: true, marketing: false })).toMatchObject({ personalization_storage: G, functionality_storage: G });
  });
});

type Win = { dataLayer?: unknown[] };
const w = window as unknown as Win;
/** The dataLayer as plain data: each `arguments` entry becomes `['args', …]`. */
const layer = () => (w.dataLayer ?? []).map((e) => (Object.prototype.toString.call(e) === '[object Arguments]' ? ['args', ...Array.from(e as ArrayLike<unknown>)] : e));

function setup(extra: object = {}, granted?: string[], gpc = false) {
  const record: StoredDecision | undefined = granted && { subjectId: '11111111-1111-4111-8111-111111111111', decidedAt: Date.now(), policyVersion: 'v1', gpc: false, granted };
  const storage: DecisionStorage = { readSync: () => record, load: async () => record, save: async () => {}, watch: () => () => {} };
  return createConsentCore({ ...config, ...extra }, { storage: () => storage, plugins: [googleConsentModePlugin], env: { gpc } });
}

const allDenied = { ad_storage: D, ad_user_data: D, ad_personalization: D, analytics_storage: D, functionality_storage: D, personalization_storage: D, security_storage: G };

describe('googleConsentModePlugin', () => {
  beforeEach(() => {
    delete w.dataLayer;
  });

  it('pushes the default synchronously as an arguments object, with wait_for_update and region', () => {
    w.dataLayer = [{ event: 'before' }];
    setup({ googleConsentMode: { ...mapping, wait_for_update: 800, region: ['DE', 'US-CA'] } });
    expect(Object.prototype.toString.call(w.dataLayer[1])).toBe('[object Arguments]');
    expect(layer()).toEqual([{ event: 'before' }, ['args', 'consent', 'default', { ...allDenied, wait_for_update: 800, region: ['DE', 'US-CA'] }]]);
  });

  it('denies every type but security_storage by default where the SDK could not start (fail closed)', () => {
    denyAllByDefault();
    expect(Object.prototype.toString.call(w.dataLayer![0])).toBe('[object Arguments]');
    expect(layer()).toEqual([['args', 'consent', 'default', allDenied]]);
  });

  it('does nothing without googleConsentMode', () => {
    setup({ googleConsentMode: undefined });
    expect(w.dataLayer).toBeUndefined();
  });

  it('follows the default with an update and its event for a returning visitor, synchronously', () => {
    setup({}, ['analytics']);
    expect(layer()).toEqual([
      ['args', 'consent', 'default', { ...allDenied, wait_for_update: 500 }],
      ['args', 'consent', 'update', { ...allDenied, analytics_storage: G }],
      // Tags fired by the event (README: GTM, non-Google tags) run on a returning visitor's pages too.
      { event: 'consentseal_update', consentseal: { purposes: { necessary: true, analytics: true, marketing: false } } },
    ]);
  });

  it('pushes one update and an event for every decision, even one that changes nothing', async () => {
    const cs = setup();
    await cs.ready;
    await cs.rejectAll();
    await cs.acceptAll();
    await cs.acceptAll();
    expect(layer().slice(1)).toEqual([
      ['args', 'consent', 'update', allDenied],
      { event: 'consentseal_update', consentseal: { purposes: { necessary: true, analytics: false, marketing: false }, action: 'reject-all', method: 'api', gpc: false } },
      ['args', 'consent', 'update', Object.fromEntries(Object.keys(allDenied).map((k) => [k, G]))],
      { event: 'consentseal_update', consentseal: { purposes: { necessary: true, analytics: true, marketing: true }, action: 'accept-all', method: 'api', gpc: false } },
      ['args', 'consent', 'update', Object.fromEntries(Object.keys(allDenied).map((k) => [k, G]))],
      { event: 'consentseal_update', consentseal: { purposes: { necessary: true, analytics: true, marketing: true }, action: 'accept-all', method: 'api', gpc: false } },
    ]);
  });

  /** A core whose storage hands over other tabs' decisions through `arrive`, and loads `loaded` from IndexedDB. */
  function setupTabs(loaded?: StoredDecision) {
    let arrive!: (r: StoredDecision) => void;
    const storage: DecisionStorage = { readSync: () => undefined, load: async () => loaded, save: async () => {}, watch: (fn) => ((arrive = fn), () => {}) };
    const cs = createConsentCore(config, { storage: () => storage, plugins: [googleConsentModePlugin] });
    const decided = (granted: string[], decidedAt = Date.now()) => ({ subjectId: cs.getState().subjectId, decidedAt, policyVersion: 'v1', gpc: false, granted });
    return { cs, arrive: (granted: string[], at?: number) => arrive(decided(granted, at)) };
  }
  const event = (analytics: boolean, marketing: boolean, how = {}) => ({ event: 'consentseal_update', consentseal: { purposes: { necessary: true, analytics, marketing }, ...how } });

  it('pushes an update and one consentseal_update event for each change another tab makes, as for one made here', async () => {
    const { cs, arrive } = setupTabs();
    await cs.ready;
    arrive(['analytics'], Date.now() + 1000);
    // Right away, before any later change listener: the update (gated inline snippets run then).
    expect(layer().slice(1)).toEqual([['args', 'consent', 'update', { ...allDenied, analytics_storage: G }]]);
    await Promise.resolve();
    expect(layer().slice(2)).toEqual([event(true, false)]);
    // The same choices again, decided later: the state changed (its date), no Consent Mode value did.
    arrive(['analytics'], Date.now() + 2000);
    await Promise.resolve();
    expect(layer().slice(3)).toEqual([event(true, false)]);
    // A decision here still pushes its event once, with how it was made.
    await cs.rejectAll();
    expect(layer().slice(4)).toEqual([['args', 'consent', 'update', allDenied], event(false, false, { action: 'reject-all', method: 'api', gpc: false })]);
  });

  it('pushes an update and its event when IndexedDB restores a decision the cookie lacked', async () => {
    const { cs } = setupTabs({ subjectId: '11111111-1111-4111-8111-111111111111', decidedAt: Date.now(), policyVersion: 'v1', gpc: false, granted: ['analytics', 'marketing'] });
    await cs.ready;
    await Promise.resolve();
    expect(layer().slice(1)).toEqual([['args', 'consent', 'update', Object.fromEntries(Object.keys(allDenied).map((k) => [k, G]))], event(true, true)]);
  });

  it('has queued the update before a later plugin hears the change (a gated inline gtag snippet runs then)', async () => {
    let seen: unknown[] = [];
    const record = () => void (seen = layer());
    const cs = createConsentCore(config, {
      storage: () => ({ readSync: () => undefined, load: async () => undefined, save: async () => {}, watch: () => () => {} }),
      plugins: [googleConsentModePlugin, (core) => void core.on('change', record)],
    });
    await cs.setPurposes({ analytics: true });
    expect(seen.at(-1)).toEqual(['args', 'consent', 'update', { ...allDenied, analytics_storage: G }]);
  });

  it('keeps ad types denied on Accept all while GPC is on', async () => {
    const cs = setup({ gpc: true }, undefined, true);
    await cs.acceptAll();
    expect(layer().at(-2)).toEqual(['args', 'consent', 'update', { ...allDenied, analytics_storage: G }]);
    expect(layer().at(-1)).toMatchObject({ consentseal: { gpc: true, purposes: { marketing: false } } });
  });

  it('uses the dataLayer a tag manager replaced after start', async () => {
    const cs = setup();
    const mine: unknown[] = [];
    w.dataLayer = mine;
    await cs.acceptAll();
    expect(mine).toHaveLength(2);
  });

  it('pushes nothing after destroy', async () => {
    const cs = setup();
    await cs.ready;
    cs.destroy();
    const before = layer().length;
    cs.store.setState({ status: 'decided', purposes: { necessary: true, analytics: true, marketing: false } });
    expect(layer()).toHaveLength(before);
  });
});
