// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConsentCore } from '../core/consent';
import type { ConsentPlugin } from '../core/plugin';
import type { DecisionStorage, StoredDecision } from '../storage/persistence';
import { gatingPlugin, purposesOf } from './index';
import { placeholderPlugin } from '../ui/placeholder';

const config = {
  policyVersion: 'v1',
  policyUrl: '/privacy',
  purposes: [
    { id: 'necessary', required: true },
    { id: 'analytics', services: [{ id: 'ga', cookies: ['/^_ga/'] }] },
    { id: 'marketing' },
  ],
  texts: { en: { purposes: { marketing: { title: 'Marketing & ads' } } } },
};

function setup(granted?: string[], plugins: ConsentPlugin[] = [gatingPlugin]) {
  const record: StoredDecision | undefined = granted && { subjectId: '11111111-1111-4111-8111-111111111111', decidedAt: Date.now(), policyVersion: 'v1', gpc: false, granted };
  const storage: DecisionStorage = { readSync: () => record, load: async () => record, save: async () => {}, watch: () => () => {} };
  return createConsentCore(config, { storage: () => storage, plugins });
}

/** The page's scripts as `type:id`, in document order. */
const scripts = () => [...document.querySelectorAll('script')].map((s) => `${s.type || 'js'}:${s.id}`);
const flush = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  document.body.innerHTML = '';
  // happy-dom has no isSecureContext (withdrawals read it to delete cookies); these pages are plain http.
  vi.stubGlobal('isSecureContext', false);
});
let cs: ReturnType<typeof setup> | undefined;
afterEach(() => {
  cs?.destroy();
  vi.unstubAllGlobals();
});

describe('markup helpers', () => {
  it('reads the purposes an element names', () => {
    document.body.innerHTML = '<div id="a" data-consent=" analytics  marketing "></div><div id="b" data-consent=""></div>';
    expect(purposesOf(document.getElementById('a')!)).toEqual(['analytics', 'marketing']);
    expect(purposesOf(document.getElementById('b')!) ?? []).toEqual([]);
  });

});

describe('the script that runs', () => {
  it('carries every attribute but type/data-consent, with data-type as its type', async () => {
    document.body.innerHTML = '<script type="text/plain" data-consent="analytics" data-type="module" async nonce="n0" id="x" data-foo="bar" crossorigin="anonymous">go()</script>';
    cs = setup();
    await cs.acceptAll();
    const s = document.querySelector('script')!;
    expect(s.type).toBe('module');
    expect(s.async).toBe(true);
    expect(s.getAttribute('nonce')).toBe('n0');
    expect(s.id).toBe('x');
    expect(s.getAttribute('data-foo')).toBe('bar');
    expect(s.getAttribute('crossorigin')).toBe('anonymous');
    expect(s.hasAttribute('data-consent')).toBe(false);
    expect(s.hasAttribute('data-type')).toBe(false);
    expect(s.text).toBe('go()');
  });

  it('keeps document order without async', async () => {
    document.body.innerHTML = '<script type="text/plain" data-consent="analytics" src="/a.js"></script>';
    cs = setup();
    await cs.acceptAll();
    const s = document.querySelector('script')!;
    expect(s.async).toBe(false);
    expect(s.type).toBe('');
    expect(s.getAttribute('src')).toBe('/a.js');
  });
});

describe('gated scripts', () => {
  it('run nothing before a decision, then in document order once every named purpose is granted', async () => {
    document.body.innerHTML = [
      '<script type="text/plain" data-consent="analytics" id="a1">1</script>',
      '<script type="text/plain" data-consent="analytics marketing" id="both">2</script>',
      '<script type="text/plain" data-consent="marketing" id="m1">3</script>',
      '<script type="text/plain" data-consent="analytics" id="a2">4</script>',
      '<script type="text/plain" data-consent="nonexistent" id="x">5</script>',
      '<script type="text/plain" data-consent="" id="none">6</script>',
    ].join('');
    cs = setup();
    expect(scripts()).toEqual(['text/plain:a1', 'text/plain:both', 'text/plain:m1', 'text/plain:a2', 'text/plain:x', 'text/plain:none']);
    await cs.setPurposes({ analytics: true });
    expect(scripts()).toEqual(['js:a1', 'text/plain:both', 'text/plain:m1', 'js:a2', 'text/plain:x', 'text/plain:none']);
    await cs.setPurposes({ marketing: true });
    expect(scripts()).toEqual(['js:a1', 'js:both', 'js:m1', 'js:a2', 'text/plain:x', 'text/plain:none']);
  });

  it('run at start for a returning visitor', () => {
    document.body.innerHTML = '<script type="text/plain" data-consent="analytics" id="a">1</script><script type="text/plain" data-consent="marketing" id="m">2</script>';
    cs = setup(['analytics']);
    expect(scripts()).toEqual(['js:a', 'text/plain:m']);
  });

  it('run once: later decisions do not add copies', async () => {
    document.body.innerHTML = '<script type="text/plain" data-consent="analytics" id="a">1</script>';
    cs = setup();
    await cs.acceptAll();
    await cs.rejectAll();
    await cs.acceptAll();
    await flush();
    expect(scripts()).toEqual(['js:a']);
  });

  it('wait for an external script to load or fail before running the next', async () => {
    document.body.innerHTML = [
      '<script type="text/plain" data-consent="analytics" id="s1" src="/one.js"></script>',
      '<script type="text/plain" data-consent="analytics" id="i1">1</script>',
      '<script type="text/plain" data-consent="analytics" id="s2" src="/two.js" async></script>',
      '<script type="text/plain" data-consent="analytics" id="i2">2</script>',
      '<script type="text/plain" data-consent="analytics" id="s3" src="/three.js"></script>',
      '<script type="text/plain" data-consent="analytics" id="i3">3</script>',
    ].join('');
    cs = setup();
    await cs.acceptAll();
    expect(scripts()).toEqual(['js:s1', 'text/plain:i1', 'text/plain:s2', 'text/plain:i2', 'text/plain:s3', 'text/plain:i3']);
    // A failing script does not stop the queue; an async one is not waited for.
    document.getElementById('s1')!.dispatchEvent(new Event('error'));
    expect(scripts()).toEqual(['js:s1', 'js:i1', 'js:s2', 'js:i2', 'js:s3', 'text/plain:i3']);
    document.getElementById('s3')!.dispatchEvent(new Event('load'));
    expect(scripts()).toEqual(['js:s1', 'js:i1', 'js:s2', 'js:i2', 'js:s3', 'js:i3']);
  });

  it('skip a queued script whose purpose is withdrawn before its turn', async () => {
    document.body.innerHTML = '<script type="text/plain" data-consent="marketing" id="s" src="/s.js"></script><script type="text/plain" data-consent="analytics" id="a">1</script>';
    cs = setup();
    await cs.acceptAll();
    await cs.withdraw(['analytics']);
    document.getElementById('s')!.dispatchEvent(new Event('load'));
    expect(scripts()).toEqual(['js:s', 'text/plain:a']);
    await cs.setPurposes({ analytics: true });
    expect(scripts()).toEqual(['js:s', 'js:a']);
  });

  it('wait while the parser may still be adding an inline script’s text', async () => {
    const state = vi.spyOn(document, 'readyState', 'get').mockReturnValue('loading');
    try {
      cs = setup(['analytics']);
      const s = document.createElement('script');
      s.type = 'text/plain';
      s.dataset.consent = 'analytics';
      s.id = 'partial';
      document.body.append(s);
      await flush();
      expect(scripts()).toEqual(['text/plain:partial']);
      // Something after it: the parser is past it.
      document.body.append(document.createTextNode('\n'));
      await vi.waitFor(() => expect(scripts()).toEqual(['js:partial']));
    } finally {
      state.mockRestore();
    }
  });

  it('handle scripts added later', async () => {
    cs = setup(['analytics']);
    const s = document.createElement('script');
    s.type = 'text/plain';
    s.dataset.consent = 'analytics';
    s.id = 'late';
    s.text = 'late()';
    document.body.append(s);
    await vi.waitFor(() => expect(scripts()).toEqual(['js:late']));
    const m = document.createElement('div');
    m.innerHTML = '<script type="text/plain" data-consent="marketing" id="late2">x</script>';
    document.body.append(m);
    await flush();
    expect(scripts()).toEqual(['js:late', 'text/plain:late2']);
  });
});

describe('gated embeds', () => {
  it('get src when granted, only for http(s) URLs and paths, and lose it on withdrawal', async () => {
    document.body.innerHTML = '<video data-consent="marketing" data-src="https://video.example/embed/1" id="f"></video><img data-consent="marketing" data-src="javascript:alert(1)" id="bad"><img data-consent="analytics" data-src="/pixel.png" id="img">';
    cs = setup();
    expect(document.getElementById('f')!.hasAttribute('src')).toBe(false);
    await cs.acceptAll();
    expect(document.getElementById('f')!.getAttribute('src')).toBe('https://video.example/embed/1');
    expect(document.getElementById('img')!.getAttribute('src')).toBe('/pixel.png');
    expect(document.getElementById('bad')!.hasAttribute('src')).toBe(false);
    await cs.withdraw(['marketing']);
    const f = document.getElementById('f')!;
    expect(f.hasAttribute('src')).toBe(false);
    expect(f.getAttribute('data-src')).toBe('https://video.example/embed/1');
    await cs.setPurposes({ marketing: true });
    await flush();
    expect(document.getElementById('f')!.getAttribute('src')).toBe('https://video.example/embed/1');
  });

  it('show a placeholder that names the purpose, allows just it and links to the content', async () => {
    document.body.innerHTML = '<p>before</p><video data-consent="marketing" data-src="https://video.example/embed/1" id="f"></video>';
    cs = setup(['analytics'], [gatingPlugin, placeholderPlugin()]);
    const f = document.getElementById('f') as HTMLVideoElement;
    const host = f.previousElementSibling as HTMLElement;
    expect(host.className).toBe('consentseal-placeholder');
    expect(f.hidden).toBe(true);
    const root = host.shadowRoot!;
    expect(root.textContent).toContain('This content needs your consent to “Marketing & ads”.');
    const link = root.querySelector('a')!;
    expect(link.href).toBe('https://video.example/embed/1');
    expect(link.rel).toBe('noopener noreferrer');
    expect(link.textContent).toBe('Open it elsewhere');
    const allow = root.querySelector('button')!;
    expect(allow.textContent).toBe('Allow');
    allow.click();
    await vi.waitFor(() => expect(cs!.isGranted('marketing')).toBe(true));
    expect(cs.getState().purposes).toEqual({ necessary: true, analytics: true, marketing: true });
    expect(f.getAttribute('src')).toBe('https://video.example/embed/1');
    expect(f.hidden).toBe(false);
    expect(document.querySelector('.consentseal-placeholder')).toBeNull();
  });

  it('keep other choices when Allow grants one purpose, and offer no link to unsafe URLs', async () => {
    document.body.innerHTML = '<video data-consent="marketing" data-src="javascript:alert(1)" id="f"></video>';
    cs = setup(undefined, [gatingPlugin, placeholderPlugin()]);
    const root = document.querySelector('.consentseal-placeholder')!.shadowRoot!;
    expect(root.querySelector('a')).toBeNull();
    root.querySelector('button')!.click();
    await vi.waitFor(() => expect(cs!.getState().status).toBe('decided'));
    expect(cs.getState().purposes).toEqual({ necessary: true, analytics: false, marketing: true });
    expect(document.getElementById('f')!.hasAttribute('src')).toBe(false);
  });
});

describe('placeholders over time', () => {
  it('go away with their embed, and on destroy', async () => {
    document.body.innerHTML = '<div id="a"><video data-consent="marketing" data-src="/a.mp4" id="v1"></video></div><video data-consent="marketing" data-src="/b.mp4" id="v2"></video>';
    cs = setup(undefined, [gatingPlugin, placeholderPlugin()]);
    expect(document.querySelectorAll('.consentseal-placeholder')).toHaveLength(2);
    document.getElementById('v1')!.remove();
    await vi.waitFor(() => expect(document.querySelectorAll('.consentseal-placeholder')).toHaveLength(1));
    cs.destroy();
    expect(document.querySelectorAll('.consentseal-placeholder')).toHaveLength(0);
    expect((document.getElementById('v2') as HTMLVideoElement).hidden).toBe(false);
    // A new instance shows one placeholder, not two.
    cs = setup(undefined, [gatingPlugin, placeholderPlugin()]);
    expect(document.querySelectorAll('.consentseal-placeholder')).toHaveLength(1);
  });

  it('survive a copy of the page taken while blocked (Turbo cache, htmx history): Allow shows the copied embed, no empty box stays', async () => {
    document.body.innerHTML = '<main><video data-consent="marketing" data-src="/a.mp4" id="v"></video></main>';
    cs = setup(undefined, [gatingPlugin, placeholderPlugin()]);
    const main = document.querySelector('main')!;
    // The copy takes the embed as blocked (hidden) and our placeholder without its shadow root (empty).
    main.innerHTML = main.innerHTML;
    const drawn = () => [...document.querySelectorAll('.consentseal-placeholder')].find((p) => p.shadowRoot)?.shadowRoot;
    await vi.waitFor(() => expect(drawn()).toBeTruthy());
    drawn()!.querySelector('button')!.click();
    await vi.waitFor(() => expect(document.getElementById('v')!.getAttribute('src')).toBe('/a.mp4'));
    expect((document.getElementById('v') as HTMLVideoElement).hidden).toBe(false);
    expect(document.querySelectorAll('.consentseal-placeholder')).toHaveLength(0);
  });
});

describe('withdrawal', () => {
  it('reloads with reloadOnWithdraw once the receipt is signed, only when a grant is taken back', async () => {
    const reload = vi.fn();
    const loc = vi.spyOn(window, 'location', 'get').mockReturnValue({ ...window.location, reload } as Location);
    try {
      const record: StoredDecision = { subjectId: '11111111-1111-4111-8111-111111111111', decidedAt: Date.now(), policyVersion: 'v1', gpc: false, granted: ['analytics'] };
      const storage: DecisionStorage = { readSync: () => record, load: async () => record, save: async () => {}, watch: () => () => {} };
      cs = createConsentCore({ ...config, reloadOnWithdraw: true }, { storage: () => storage, plugins: [gatingPlugin] });
      await cs.setPurposes({ marketing: true });
      cs.emit('receipt', { receiptId: 'r1', status: 'signed' });
      expect(reload).not.toHaveBeenCalled();
      await cs.withdraw(['analytics']);
      expect(reload).not.toHaveBeenCalled();
      cs.emit('receipt', { receiptId: 'r2', status: 'signed' });
      expect(reload).toHaveBeenCalled();
    } finally {
      loc.mockRestore();
    }
  });

  it('deletes the cookies of denied purposes', async () => {
    const writes: string[] = [];
    Object.defineProperty(document, 'cookie', { configurable: true, get: () => '_ga=1; other=2', set: (v: string) => writes.push(v) });
    try {
      cs = setup(['analytics']);
      await cs.withdraw(['analytics']);
      expect(writes.filter((w) => w.startsWith('_ga=;max-age=0;path=/'))).not.toHaveLength(0);
      expect(writes.some((w) => w.startsWith('other='))).toBe(false);
    } finally {
      delete (document as { cookie?: string }).cookie;
    }
  });

  it('also deletes them on a first Reject all: cookies a service set before any choice go too', async () => {
    const writes: string[] = [];
    Object.defineProperty(document, 'cookie', { configurable: true, get: () => '_ga=1; other=2', set: (v: string) => writes.push(v) });
    try {
      cs = setup();
      await cs.rejectAll();
      expect(writes.filter((w) => w.startsWith('_ga=;max-age=0;path=/'))).not.toHaveLength(0);
      expect(writes.some((w) => w.startsWith('other='))).toBe(false);
    } finally {
      delete (document as { cookie?: string }).cookie;
    }
  });
});
