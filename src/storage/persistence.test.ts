import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeCookie } from './cookie';
import { createDecisionStorage, type StoredDecision } from './persistence';

// IndexedDB through a mocked src/core/idb.ts: `db` is its content. Like idb-keyval 6.3, opening is lazy, so
// a blocked IndexedDB (`blocked`) throws synchronously from `get` and `set`; `failGet` rejects reads.
// `hang` makes every request wait forever, as an IndexedDB that never answers its open does.
const idb = vi.hoisted(() => ({ db: new Map<string, unknown>(), blocked: false, failGet: false, hang: false }));
vi.mock('../core/idb', () => {
  const open = () => {
    if (idb.blocked) throw new Error('blocked');
    return idb.hang && new Promise<never>(() => {});
  };
  return {
    createStore: (db: string, store: string) => `${db}/${store}`,
    get: (key: string) => open() || (idb.failGet ? Promise.reject(new Error('read failed')) : Promise.resolve(idb.db.get(key))),
    set: (key: string, value: unknown) => open() || Promise.resolve(void idb.db.set(key, value)),
  };
});

/** A cookie jar behind `document.cookie` that records every assignment; `refuse` drops them. */
let jar: Map<string, string>;
let written: string[];
let refuse = false;
beforeEach(() => {
  jar = new Map();
  written = [];
  refuse = false;
  Object.assign(idb, { db: new Map(), blocked: false, failGet: false, hang: false });
  vi.stubGlobal('location', { protocol: 'http:' });
  vi.stubGlobal('document', {
    get cookie() {
      return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    },
    set cookie(s: string) {
      written.push(s);
      const [, k, v] = /^([^=]+)=([^;]*)/.exec(s)!;
      if (!refuse) jar.set(k!, v!);
    },
  });
});
afterEach(() => void vi.unstubAllGlobals());

const record = (over: Partial<StoredDecision> = {}): StoredDecision => ({
  subjectId: '3f2a9c1e-8b4d-4e6f-9a1b-2c3d4e5f6a7b', decidedAt: Date.UTC(2026, 10, 1), policyVersion: 'v1', gpc: false, granted: ['analytics'], ...over,
});
const cookie = { name: 'consentseal', path: '/', sameSite: 'Lax' as const };
function open(c: object = {}) {
  const errors: string[] = [];
  const storage = createDecisionStorage({ cookie: { ...cookie, ...c }, expiresAfterDays: 30 }, (code, message) => errors.push(`${code}: ${message}`));
  return { storage, errors };
}

describe('decision storage', () => {
  it('writes the cookie with its attributes (names are case-insensitive): SameSite, Secure on https and for None, optional Domain', async () => {
    await open().storage.save(record());
    expect(written.at(-1)).toBe(`consentseal=${encodeCookie(record())};path=/;max-age=2592000;samesite=Lax`);
    vi.stubGlobal('location', { protocol: 'https:' });
    await open({ domain: 'example.com', path: '/shop' }).storage.save(record());
    expect(written.at(-1)).toMatch(/;path=\/shop;max-age=2592000;samesite=Lax;secure;domain=example\.com$/);
    vi.stubGlobal('location', { protocol: 'http:' });
    await open({ sameSite: 'None' }).storage.save(record());
    expect(written.at(-1)).toMatch(/;samesite=None;secure$/);
  });

  it('stores the cookie encoding in IndexedDB and reads the decision back, synchronously from the cookie', async () => {
    const { storage, errors } = open();
    await storage.save(record());
    expect(idb.db.get('consentseal/')).toBe(encodeCookie(record()));
    expect(storage.readSync()).toEqual(record());
    expect(await storage.load()).toEqual(record());
    expect(errors).toEqual([]);
  });

  it("loads IndexedDB's decision (the core weighs it against the cookie's)", async () => {
    const { storage } = open();
    jar.set('consentseal', encodeCookie(record({ granted: [] })));
    expect(await storage.load()).toBeUndefined();
    idb.db.set('consentseal/', encodeCookie(record()));
    expect(await storage.load()).toEqual(record());
  });

  it('ignores whatever does not decode', async () => {
    const { storage } = open();
    jar.set('consentseal', '{"analytics":true}');
    idb.db.set('consentseal/', { granted: ['analytics'] });
    expect(storage.readSync()).toBeUndefined();
    expect(await storage.load()).toBeUndefined();
  });

  it('falls back to the cookie when IndexedDB is blocked or fails, and reports it', async () => {
    idb.blocked = true;
    const blocked = open();
    await blocked.storage.save(record());
    expect(blocked.storage.readSync()).toEqual(record());
    expect(await blocked.storage.load()).toBeUndefined();
    expect(blocked.errors).toEqual([expect.stringMatching(/^storage: /), expect.stringMatching(/^storage: /)]);

    idb.blocked = false;
    idb.failGet = true;
    const failing = open();
    expect(await failing.storage.load()).toBeUndefined();
    expect(failing.errors).toEqual([expect.stringMatching(/^storage: /)]);
  });

  it('gives an IndexedDB that never answers 2.5 s, reading and saving alike, and keeps the cookie', async () => {
    vi.useFakeTimers();
    try {
      idb.hang = true;
      const { storage, errors } = open();
      const settled: string[] = [];
      void storage.load().then((r) => settled.push(`loaded ${r}`));
      void storage.save(record()).then(() => settled.push('saved'));
      await vi.advanceTimersByTimeAsync(2500);
      expect(settled.sort()).toEqual(['loaded undefined', 'saved']);
      expect(errors).toEqual([expect.stringMatching(/^storage: /), expect.stringMatching(/^storage: /)]);
      expect(storage.readSync()).toEqual(record());
    } finally {
      vi.useRealTimers();
    }
  });

  it('reads the newest of several cookies of its name (left by another domain or path setting) and finds its own write among them', async () => {
    // A host-only cookie from before `cookie.domain` was set comes first in document.cookie (the older one).
    const old = encodeCookie(record());
    let mine = '';
    vi.stubGlobal('document', {
      get cookie() {
        return `consentseal=${old}` + (mine && `; consentseal=${mine}`);
      },
      set cookie(s: string) {
        mine = /=([^;]*)/.exec(s)![1]!;
      },
    });
    const { storage, errors } = open({ domain: 'example.com' });
    expect(storage.readSync()).toEqual(record());
    const newer = record({ decidedAt: record().decidedAt + 60_000, granted: [] });
    await storage.save(newer);
    expect(storage.readSync()).toEqual(newer);
    expect(errors).toEqual([]);
    mine = 'junk';
    expect(storage.readSync()).toEqual(record());
  });

  it('reports a refused or unreadable cookie and keeps IndexedDB', async () => {
    refuse = true;
    const { storage, errors } = open();
    await storage.save(record());
    expect(errors).toEqual([expect.stringMatching(/^cookie: /)]);
    expect(await storage.load()).toEqual(record());
    vi.stubGlobal('document', {});
    Object.defineProperty(document, 'cookie', { get: () => { throw new Error('sandboxed'); } });
    expect(storage.readSync()).toBeUndefined();
    expect(errors).toHaveLength(2);
    expect(errors[1]).toMatch(/^cookie: /);
  });

  it("keeps apart the decisions of configs that name another cookie or path (sites sharing an origin), in IndexedDB and between tabs", async () => {
    const shop = open({ path: '/shop/' }).storage;
    const blog = open({ path: '/blog/' }).storage;
    const other = open({ name: 'other' }).storage;
    const shopTab = open({ path: '/shop/' }).storage;
    const heard: string[] = [];
    blog.watch(() => heard.push('blog'));
    other.watch(() => heard.push('other'));
    const shopHeard = new Promise((resolve) => shopTab.watch(resolve));
    await shop.save(record());
    expect(await shopHeard).toEqual(record());
    expect(heard).toEqual([]);
    expect(await blog.load()).toBeUndefined();
    expect(await other.load()).toBeUndefined();
    expect(await shopTab.load()).toEqual(record());
    for (const s of [shop, blog, other, shopTab]) s.watch(() => {})();
  });

  it('tells other tabs, and hears them', async () => {
    const a = open().storage;
    const b = open().storage;
    const heard = new Promise<StoredDecision | undefined>((resolve) => b.watch(resolve));
    await a.save(record({ gpc: true }));
    expect(await heard).toEqual(record({ gpc: true }));
    a.watch(() => {})();
    b.watch(() => {})();
  });
});
