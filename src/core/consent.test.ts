import { describe, expect, it, vi } from 'vitest';
import { createConsentCore, type CoreOptions } from './consent';
import type { DecisionStorage, StoredDecision } from '../storage/persistence';
import type { ConsentErrorEvent, DecisionEvent } from './types';

const config = {
  policyVersion: 'v1',
  policyUrl: '/privacy',
  expiresAfterDays: 30,
  purposes: [{ id: 'necessary', required: true }, { id: 'analytics' }, { id: 'marketing', optOutSignal: true }],
};
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1);

/** In-memory storage standing in for IndexedDB + cookie, with a hook to play another tab. */
function memoryStorage(initial?: StoredDecision, opts: { failLoad?: boolean; cookie?: StoredDecision | undefined } = {}) {
  let saved = initial;
  let watcher: ((r?: StoredDecision) => void) | undefined;
  const storage: DecisionStorage = {
    readSync: () => ('cookie' in opts ? opts.cookie : initial),
    load: async () => {
      if (opts.failLoad) throw new Error('blocked');
      return saved;
    },
    save: async (r) => void (saved = r),
    watch: (fn) => ((watcher = fn), () => (watcher = undefined)),
  };
  return { factory: () => storage, saved: () => saved, otherTab: (r?: StoredDecision) => watcher?.(r) };
}

function setup(o: { stored?: StoredDecision; cookie?: StoredDecision | undefined; now?: number; gpc?: boolean; failLoad?: boolean; extra?: object } = {}) {
  const mem = memoryStorage(o.stored, { failLoad: o.failLoad ?? false, ...('cookie' in o && { cookie: o.cookie }) });
  let now = o.now ?? T0;
  const decisions: DecisionEvent[] = [];
  const errors: ConsentErrorEvent[] = [];
  const options: CoreOptions = {
    storage: mem.factory,
    env: { gpc: o.gpc ?? false, now: () => now, uuid: () => '00000000-0000-4000-8000-000000000001' },
    plugins: [(core) => void (core.on('decision', (d) => decisions.push(d)), core.on('error', (e) => errors.push(e)))],
  };
  const cs = createConsentCore({ ...config, ...o.extra }, options);
  return { cs, mem, decisions, errors, advance: (ms: number) => (now += ms) };
}

const stored = (over: Partial<StoredDecision> = {}): StoredDecision => ({
  subjectId: '11111111-1111-4111-8111-111111111111', decidedAt: T0, policyVersion: 'v1', gpc: false, granted: ['analytics', 'marketing'], ...over,
});

describe('consent core', () => {
  it('starts pending with only required purposes granted', async () => {
    const { cs } = setup();
    await cs.ready;
    expect(cs.getState()).toEqual({
      status: 'pending', policyVersion: 'v1', subjectId: '00000000-0000-4000-8000-000000000001',
      purposes: { necessary: true, analytics: false, marketing: false },
    });
    expect(cs.isGranted('necessary')).toBe(true);
    expect(cs.isGranted('analytics')).toBe(false);
    expect(cs.isGranted('nonexistent')).toBe(false);
  });

  it('makes a random UUID v4 subject by default', () => {
    const ids = [0, 1, 2].map(() => createConsentCore(config, { storage: memoryStorage().factory }).getState().subjectId);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(3);
  });

  it('accept all, reject all and custom choices, each stored and announced once', async () => {
    const { cs, mem, decisions } = setup();
    const changes: unknown[] = [];
    cs.on('change', (s) => changes.push(s));
    const accepted = await cs.acceptAll();
    expect(accepted).toMatchObject({ status: 'decided', purposes: { necessary: true, analytics: true, marketing: true }, decidedAt: new Date(T0).toISOString(), expiresAt: new Date(T0 + 30 * DAY).toISOString() });
    expect(mem.saved()).toMatchObject({ granted: ['analytics', 'marketing'], policyVersion: 'v1' });
    await cs.rejectAll();
    expect(cs.getState().purposes).toEqual({ necessary: true, analytics: false, marketing: false });
    await cs.setPurposes({ analytics: true });
    expect(cs.getState().purposes).toEqual({ necessary: true, analytics: true, marketing: false });
    expect(changes).toHaveLength(3);
    expect(decisions.map((d) => [d.action, d.method])).toEqual([['accept-all', 'api'], ['reject-all', 'api'], ['custom', 'api']]);
  });

  it('keeps required purposes granted whatever is asked', async () => {
    const { cs } = setup();
    await cs.setPurposes({ necessary: false, analytics: true });
    expect(cs.getState().purposes.necessary).toBe(true);
  });

  it('refuses unknown purpose ids and non-boolean choices instead of keeping them', async () => {
    const { cs } = setup();
    await expect(cs.setPurposes({ analytcs: true })).rejects.toThrow('unknown purpose or non-boolean: analytcs');
    await expect(cs.setPurposes({ analytics: 'yes' as unknown as boolean })).rejects.toThrow('unknown purpose or non-boolean: analytics');
    expect(cs.getState().status).toBe('pending');
  });

  it('records withdrawal: by withdraw(), and when a change only takes grants away', async () => {
    const { cs, decisions } = setup();
    await cs.acceptAll();
    await cs.setPurposes({ marketing: false });
    await cs.withdraw(['analytics']);
    await cs.setPurposes({ analytics: true, marketing: false });
    await cs.withdraw();
    expect(decisions.map((d) => d.action)).toEqual(['accept-all', 'withdraw', 'withdraw', 'custom', 'withdraw']);
    expect(cs.getState().purposes).toEqual({ necessary: true, analytics: false, marketing: false });
  });

  it('restores a stored decision synchronously, before ready', () => {
    const { cs } = setup({ stored: stored(), now: T0 + DAY });
    expect(cs.getState()).toMatchObject({ status: 'decided', subjectId: '11111111-1111-4111-8111-111111111111', purposes: { analytics: true, marketing: true } });
  });

  it('takes the newer of the cookie and IndexedDB: a newer cookie is never shadowed', async () => {
    // The cookie holds a newer decision under an old policy version (ask again); IndexedDB an older one.
    const shadowed = setup({ stored: stored(), cookie: stored({ decidedAt: T0 + 1000, policyVersion: 'v0' }), now: T0 + DAY });
    await shadowed.cs.ready;
    expect(shadowed.cs.getState().status).toBe('pending');
    // IndexedDB is newer: its decision wins over the cookie's.
    const restored = setup({ stored: stored({ decidedAt: T0 + 1000 }), cookie: stored({ granted: [] }), now: T0 + DAY });
    expect(restored.cs.isGranted('analytics')).toBe(false);
    await restored.cs.ready;
    expect(restored.cs.isGranted('analytics')).toBe(true);
  });

  it("decides under this origin's own subject when the cookie's is one IndexedDB does not hold (a cookie.domain sibling's)", async () => {
    const sibling = stored({ subjectId: '22222222-2222-4222-8222-222222222222', granted: ['analytics'] });
    // Nothing in this origin's IndexedDB: the sibling's decision applies, and the next decision takes a new subject.
    const fresh = setup({ cookie: sibling, now: T0 + DAY });
    await fresh.cs.ready;
    expect(fresh.cs.getState()).toMatchObject({ status: 'decided', subjectId: sibling.subjectId, purposes: { analytics: true } });
    await fresh.cs.setPurposes({ marketing: true });
    expect(fresh.decisions[0]!.state.subjectId).toBe('00000000-0000-4000-8000-000000000001');
    expect(fresh.mem.saved()).toMatchObject({ subjectId: '00000000-0000-4000-8000-000000000001', granted: ['analytics', 'marketing'] });
    // An older decision of this origin's own: its subject is taken again.
    const own = setup({ stored: stored({ decidedAt: T0 - DAY }), cookie: sibling, now: T0 + DAY });
    await own.cs.ready;
    await own.cs.rejectAll();
    expect(own.mem.saved()).toMatchObject({ subjectId: '11111111-1111-4111-8111-111111111111', granted: [] });
    // Another tab of this origin decided meanwhile: its subject is this origin's.
    const tab = setup({ cookie: sibling, now: T0 + DAY });
    await tab.cs.ready;
    tab.mem.otherTab(stored({ subjectId: '33333333-3333-4333-8333-333333333333', decidedAt: T0 + DAY }));
    await tab.cs.rejectAll();
    expect(tab.mem.saved()).toMatchObject({ subjectId: '33333333-3333-4333-8333-333333333333' });
  });

  it("waits for IndexedDB before deciding on the cookie's decision, so that even a decision made at once goes under this origin's subject", async () => {
    const sibling = stored({ subjectId: '22222222-2222-4222-8222-222222222222', granted: ['analytics'] });
    const own = setup({ stored: stored({ decidedAt: T0 - DAY }), cookie: sibling, now: T0 + DAY });
    // Not awaiting `ready`: a site calling the API at start, or a visitor quicker than IndexedDB.
    await own.cs.rejectAll();
    expect(own.mem.saved()).toMatchObject({ subjectId: '11111111-1111-4111-8111-111111111111', granted: [] });
    // A first visit (no cookie) decides at once, as before: the state changes before the promise settles.
    const first = setup();
    void first.cs.acceptAll();
    expect(first.cs.getState().status).toBe('decided');
  });

  it('asks again when the policy version changes, keeping the subject', async () => {
    const { cs } = setup({ stored: stored({ policyVersion: 'v0' }) });
    await cs.ready;
    expect(cs.getState()).toMatchObject({ status: 'pending', subjectId: '11111111-1111-4111-8111-111111111111', purposes: { analytics: false } });
  });

  it('asks again once expiresAfterDays have passed, for an acceptance and a rejection alike', async () => {
    for (const granted of [['analytics', 'marketing'], []]) {
      const fresh = setup({ stored: stored({ granted }), now: T0 + 30 * DAY - 1 });
      expect(fresh.cs.getState().status).toBe('decided');
      const old = setup({ stored: stored({ granted }), now: T0 + 30 * DAY });
      expect(old.cs.getState().status).toBe('pending');
    }
  });

  it('distrusts a decision dated in the future', () => {
    const { cs } = setup({ stored: stored({ decidedAt: T0 + 5 * DAY }) });
    expect(cs.getState().status).toBe('pending');
  });

  it('falls back and reports when storage fails, never granting', async () => {
    const { cs, errors } = setup({ failLoad: true });
    await cs.ready;
    expect(cs.getState().status).toBe('pending');
    expect(cs.isGranted('analytics')).toBe(false);
    expect(errors[0]).toMatchObject({ code: 'storage' });
  });

  it('applies a decision made in another tab without a reload', async () => {
    const { cs, mem } = setup();
    const changes = vi.fn();
    cs.on('change', changes);
    mem.otherTab(stored({ subjectId: '00000000-0000-4000-8000-000000000001', granted: ['analytics'] }));
    expect(cs.getState()).toMatchObject({ status: 'decided', purposes: { analytics: true, marketing: false } });
    mem.otherTab(stored({ subjectId: '00000000-0000-4000-8000-000000000001', granted: ['analytics'] }));
    expect(changes).toHaveBeenCalledTimes(1);
  });

  it("ignores another tab's decision that is older than its own (messages that crossed)", async () => {
    const { cs, mem, advance } = setup();
    await cs.ready;
    advance(5_500);
    await cs.rejectAll();
    // Sent 2 s before this tab's rejection (the cookie encoding keeps whole seconds), delivered after it.
    mem.otherTab(stored({ decidedAt: T0 + 3_000, granted: ['analytics'] }));
    expect(cs.getState()).toMatchObject({ status: 'decided', purposes: { analytics: false } });
    // A message that is no valid decision changes nothing.
    mem.otherTab(undefined);
    expect(cs.getState()).toMatchObject({ status: 'decided', purposes: { analytics: false } });
    // One from the same second may be the newer one: it is taken.
    mem.otherTab(stored({ decidedAt: T0 + 5_000, granted: ['analytics'] }));
    expect(cs.isGranted('analytics')).toBe(true);
  });

  it('makes a random UUID v4 subject by default', () => {
    const subject = () => createConsentCore(config, { storage: memoryStorage().factory }).getState().subjectId;
    const ids = new Set(Array.from({ length: 50 }, subject));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('notes the receipt id without a change event', async () => {
    const { cs } = setup();
    await cs.acceptAll();
    const changes = vi.fn();
    cs.on('change', changes);
    cs.setReceiptId('r-1');
    expect(cs.getState().receiptId).toBe('r-1');
    expect(changes).not.toHaveBeenCalled();
  });

  it('keeps going when a listener throws', async () => {
    const { cs } = setup();
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    cs.on('change', () => {
      throw new Error('site bug');
    });
    await expect(cs.acceptAll()).resolves.toMatchObject({ status: 'decided' });
    expect(spy).toHaveBeenCalled();
    spy.mockRestore();
  });

  it('reports a plugin that throws, starting or cleaning up, to the caller, and runs the others', async () => {
    const errors: ConsentErrorEvent[] = [];
    const cleaned = vi.fn();
    const cs = createConsentCore(config, {
      storage: memoryStorage().factory,
      plugins: [
        () => {
          throw Error('start');
        },
        () => () => {
          throw Error('cleanup');
        },
        () => cleaned,
      ],
    });
    // Subscribed once the instance is handed over: faults found while starting still arrive.
    cs.on('error', (e) => errors.push(e));
    await cs.ready;
    cs.destroy();
    await new Promise((r) => setTimeout(r, 0));
    expect(errors.map((e) => [e.code, (e.cause as Error).message])).toEqual([['plugin', 'start'], ['plugin', 'cleanup']]);
    expect(cleaned).toHaveBeenCalledOnce();
  });

  it('starts without a page (server-side rendering): no <html lang> to follow, and no fault', async () => {
    expect(typeof document).toBe('undefined');
    const { cs, errors } = setup();
    await cs.ready;
    await cs.acceptAll();
    cs.destroy();
    await new Promise((r) => setTimeout(r, 0));
    expect(cs.language).toBe('en');
    expect(errors).toEqual([]);
  });

  it('stops after destroy', async () => {
    const { cs } = setup();
    cs.destroy();
    await expect(cs.acceptAll()).rejects.toThrow('destroyed');
  });
});

describe('Global Privacy Control', () => {
  it('accept all leaves opt-out purposes denied; an explicit toggle turns one on', async () => {
    const { cs, decisions } = setup({ gpc: true });
    await cs.acceptAll();
    expect(cs.getState().purposes).toEqual({ necessary: true, analytics: true, marketing: false });
    expect(decisions[0]).toMatchObject({ gpc: true, action: 'accept-all' });
    await cs.decide({ marketing: true }, 'preferences');
    expect(cs.isGranted('marketing')).toBe(true);
  });

  it('takes back a grant made without the signal, as a gpc withdrawal', async () => {
    const { cs, decisions, mem } = setup({ gpc: true, stored: stored() });
    expect(cs.isGranted('marketing')).toBe(false);
    expect(cs.isGranted('analytics')).toBe(true);
    await cs.ready;
    expect(decisions).toMatchObject([{ action: 'withdraw', method: 'gpc', gpc: true }]);
    expect(mem.saved()).toMatchObject({ granted: ['analytics'], gpc: true });
  });

  it("renews nothing by the signal's withdrawal: the remaining grants expire when the visitor's decision does", async () => {
    const { cs, mem } = setup({ gpc: true, stored: stored(), now: T0 + 20 * DAY });
    await cs.ready;
    expect(cs.getState()).toMatchObject({ purposes: { analytics: true, marketing: false }, decidedAt: new Date(T0).toISOString(), expiresAt: new Date(T0 + 30 * DAY).toISOString() });
    expect(mem.saved()).toMatchObject({ decidedAt: T0, granted: ['analytics'], gpc: true });
  });

  it('restores a decision only IndexedDB held, rewrites the cookie, and lets GPC take back its opt-out grants', async () => {
    const { cs, decisions, mem } = setup({ gpc: true, stored: stored(), cookie: undefined });
    expect(cs.getState().status).toBe('pending');
    // No state ever grants marketing, so nothing (tags, gated scripts) can act on it meanwhile.
    const seen: boolean[] = [];
    cs.store.subscribe((s) => seen.push(s.purposes.marketing!));
    await cs.ready;
    expect(seen).not.toContain(true);
    expect(cs.getState()).toMatchObject({ status: 'decided', subjectId: '11111111-1111-4111-8111-111111111111', purposes: { analytics: true, marketing: false } });
    expect(decisions).toMatchObject([{ action: 'withdraw', method: 'gpc', gpc: true }]);
    await vi.waitFor(() => expect(mem.saved()).toMatchObject({ granted: ['analytics'], gpc: true }));
  });

  it("keeps the visitor's own grant made while the signal was on", async () => {
    const { cs, decisions } = setup({ gpc: true, stored: stored({ gpc: true }) });
    await cs.ready;
    expect(cs.isGranted('marketing')).toBe(true);
    expect(decisions).toEqual([]);
  });

  it("keeps the visitor's own grant through a later Accept all, which grants the rest", async () => {
    const { cs, decisions, mem } = setup({ gpc: true, stored: stored({ gpc: true, granted: ['marketing'] }) });
    await cs.ready;
    await cs.acceptAll();
    expect(cs.getState().purposes).toEqual({ necessary: true, analytics: true, marketing: true });
    expect(decisions).toMatchObject([{ action: 'accept-all', gpc: true }]);
    expect(mem.saved()).toMatchObject({ granted: ['analytics', 'marketing'], gpc: true });
  });

  it('reads the signal from navigator: only the exact value true counts', () => {
    const gpcOf = (nav: unknown) => {
      vi.stubGlobal('navigator', nav);
      try {
        return createConsentCore(config, { storage: memoryStorage().factory }).env.gpc;
      } finally {
        vi.unstubAllGlobals();
      }
    };
    expect(gpcOf({ globalPrivacyControl: true })).toBe(true);
    expect(gpcOf({ globalPrivacyControl: false })).toBe(false);
    expect(gpcOf({ globalPrivacyControl: '1' })).toBe(false);
    expect(gpcOf({})).toBe(false);
    expect(gpcOf(undefined)).toBe(false);
  });

  it('does nothing when the site turns GPC handling off', async () => {
    const { cs } = setup({ gpc: true, extra: { gpc: false } });
    await cs.acceptAll();
    expect(cs.isGranted('marketing')).toBe(true);
  });
});
