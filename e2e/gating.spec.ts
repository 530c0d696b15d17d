import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

// Gating with the script-tag build (dist/consentseal.js): `data-consent` scripts and embeds,
// placeholders, re-open links. Gated scripts append their name to `window.ran`.

declare global {
  interface Window {
    ran: string[];
    ConsentSeal: { getState(): { status: string; purposes: Record<string, boolean> } };
    hacked?: number;
  }
}

const ran = (page: Page) => page.evaluate(() => window.ran.slice());
/** The classic, non-async scripts: those whose order the page promises. */
const ordered = (list: string[]) => list.filter((r) => !r.startsWith('module:') && !r.endsWith(':async'));
const EVERY_ANALYTICS = ['head', 'a1', 's1', 'after404', 's2', 'a2', 'attrs:n0nce,with-attrs,x,classic'];
const EVERYTHING = ['head', 'a1', 's1', 'after404', 'both', 'm1', 's2', 'a2', 'attrs:n0nce,with-attrs,x,classic'];

/** Adds a gated inline script and waits until a later-granted marker proves the queue drained. */
async function drain(page: Page) {
  const id = `drain-${Math.random().toString(36).slice(2)}`;
  await page.evaluate((id) => {
    const s = document.createElement('script');
    s.type = 'text/plain';
    s.dataset.consent = 'necessary';
    s.text = `ran.push(${JSON.stringify(id)})`;
    document.body.append(s);
  }, id);
  await expect.poll(() => ran(page)).toContain(id);
  await page.evaluate((id) => window.ran.splice(window.ran.indexOf(id), 1), id);
}

test.describe('gated scripts', () => {
  test('run nothing before a choice, then once each in document order; a 404 does not stop the rest', async ({ page }) => {
    await page.goto('/e2e/pages/gating-scripts.html');
    await expect(page.getByRole('button', { name: 'Accept all' })).toBeVisible();
    await drain(page);
    expect(await ran(page)).toEqual([]);
    expect(await page.locator('script[type="text/plain"]').count()).toBe(12);

    await page.getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(async () => (await ran(page)).length).toBe(EVERYTHING.length + 2);
    const all = await ran(page);
    expect(ordered(all)).toEqual(EVERYTHING);
    // `data-type="module"` runs as a module; `async` carries over.
    expect(all).toContain('module:string');
    expect(all).toContain('s3:async');
    expect(await page.locator('script[type="text/plain"]').count()).toBe(0);

    // More decisions never run a script twice.
    await page.getByRole('link', { name: 'Privacy settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Privacy preferences' });
    await dialog.getByRole('switch', { name: 'Marketing' }).click();
    await dialog.getByRole('button', { name: 'Save choices' }).click();
    await page.evaluate(() => (window as unknown as { ConsentSeal: { acceptAll(): Promise<unknown> } }).ConsentSeal.acceptAll());
    await drain(page);
    expect(await ran(page)).toEqual(all);
  });

  test('run at start for a returning visitor, in order, with no banner', async ({ page }) => {
    await page.goto('/e2e/pages/gating-scripts.html');
    await page.getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(async () => (await ran(page)).length).toBe(EVERYTHING.length + 2);
    await page.reload();
    await expect.poll(async () => (await ran(page)).length).toBe(EVERYTHING.length + 2);
    expect(ordered(await ran(page))).toEqual(EVERYTHING);
    await expect(page.getByRole('button', { name: 'Accept all' })).toHaveCount(0);
  });

  test('need every purpose they name; granting the rest later runs them in order', async ({ page }) => {
    await page.goto('/e2e/pages/gating-scripts.html');
    await page.getByRole('button', { name: 'Customize' }).click();
    const dialog = page.getByRole('dialog', { name: 'Privacy preferences' });
    await dialog.getByRole('switch', { name: 'Analytics' }).click();
    await dialog.getByRole('button', { name: 'Save choices' }).click();
    await expect.poll(async () => ordered(await ran(page))).toEqual(EVERY_ANALYTICS);
    await drain(page);
    expect(ordered(await ran(page))).toEqual(EVERY_ANALYTICS);

    await page.getByRole('link', { name: 'Privacy settings' }).click();
    await dialog.getByRole('switch', { name: 'Marketing' }).click();
    await dialog.getByRole('button', { name: 'Save choices' }).click();
    await expect.poll(async () => ordered(await ran(page))).toEqual([...EVERY_ANALYTICS, 'both', 'm1']);
  });

  test('added later are handled the same way', async ({ page }) => {
    await page.goto('/e2e/pages/gating-scripts.html');
    const add = (consent: string, name: string) =>
      page.evaluate(([consent, name]) => {
        const box = document.createElement('div');
        box.innerHTML = `<script type="text/plain" data-consent="${consent}">ran.push('${name}')<\/script>`;
        document.body.append(box);
      }, [consent, name] as const);
    await add('analytics', 'late-before-choice');
    await page.getByRole('button', { name: 'Reject all' }).click();
    await drain(page);
    expect(await ran(page)).toEqual([]);

    await page.evaluate(() => (window as unknown as { ConsentSeal: { setPurposes(c: object): Promise<unknown> } }).ConsentSeal.setPurposes({ analytics: true }));
    await expect.poll(() => ran(page)).toContain('late-before-choice');
    await add('analytics', 'late-after-grant');
    await add('marketing', 'late-marketing');
    await expect.poll(() => ran(page)).toContain('late-after-grant');
    await drain(page);
    expect(await ran(page)).not.toContain('late-marketing');
    expect(await ran(page)).toEqual(expect.arrayContaining(EVERY_ANALYTICS));
  });

  test("keep the page's own onload and onerror handlers, and still run in order", async ({ page }) => {
    // Sites start a library from its script's onload (a callback the library defines).
    await page.goto('/e2e/pages/gating-callbacks.html');
    await page.getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(() => ran(page)).toEqual(['loaded', 'onload', 'onerror', 'last']);
  });

  test('a nomodule fallback, which a module-capable browser never loads, does not hold up the scripts after it', async ({ page }) => {
    await page.goto('/e2e/pages/gating-nomodule.html');
    await page.getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(() => ran(page)).toEqual(['module', 'after']);
  });

  test('run when a data-consent changed after insertion comes to name only granted purposes', async ({ page }) => {
    await page.goto('/e2e/pages/gating-scripts.html');
    await page.evaluate(() => (window as unknown as { ConsentSeal: { setPurposes(c: object): Promise<unknown> } }).ConsentSeal.setPurposes({ analytics: true }));
    await expect.poll(async () => ordered(await ran(page))).toEqual(EVERY_ANALYTICS);
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.type = 'text/plain';
      s.id = 'retagged';
      s.dataset.consent = 'marketing';
      s.text = "ran.push('retagged')";
      document.body.append(s);
    });
    await drain(page);
    expect(await ran(page)).not.toContain('retagged');
    // Only the attribute changes: no element comes or goes.
    await page.evaluate(() => (document.getElementById('retagged')!.dataset.consent = 'analytics'));
    await expect.poll(() => ran(page)).toContain('retagged');
  });

  test('stop with destroy(), even while an external one loads: nothing more runs and no placeholder comes back', async ({ page }) => {
    await page.goto('/e2e/pages/gating-destroy.html');
    await page.evaluate(() => (window as unknown as { ConsentSeal: { setPurposes(c: object): Promise<unknown> } }).ConsentSeal.setPurposes({ analytics: true }));
    await expect.poll(() => ran(page)).toEqual(['loading', 'after-destroy']);
    await page.reload();
    // The reload waited for the page's load event, which waits for that script. Inserted before
    // destroy(), it still ran; its load event used to run the next one.
    expect(await ran(page)).toEqual(['loading']);
    await expect(page.locator('.consentseal-placeholder')).toHaveCount(0);
    expect(await page.locator('#ad').getAttribute('src')).toBeNull();
  });

  test('keep their nonce: under a nonce CSP only nonced inline scripts run, in order', async ({ page }) => {
    await page.goto('/e2e/pages/gating-nonce.html');
    await page.getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(() => ran(page)).toEqual(['with-nonce', 'self', 'last']);
    // The CSP is really enforced: the gated script without the nonce was refused.
    await expect.poll(() => page.evaluate(() => (window as unknown as { violations: string[] }).violations.length)).toBe(1);
  });
});

test.describe('gated embeds', () => {
  test('stay empty behind an accessible placeholder whose Allow grants just their purpose', async ({ page }) => {
    await page.goto('/e2e/pages/gating-embeds.html');
    const video = page.locator('#video');
    await expect(video).toBeHidden();
    expect(await video.getAttribute('src')).toBeNull();
    expect(await page.locator('#pixel').getAttribute('src')).toBeNull();

    const placeholders = page.locator('.consentseal-placeholder');
    await expect(placeholders).toHaveCount(3);
    const first = placeholders.first();
    await expect(first).toContainText('This content needs your consent to “Marketing”.');
    await expect(placeholders.nth(1)).toContainText('This content needs your consent to “Analytics”.');
    await expect(first.getByRole('link', { name: 'Open it elsewhere' })).toHaveAttribute('href', '/e2e/pages/gating-frame.html');
    await expect(first.getByRole('link', { name: 'Open it elsewhere' })).toHaveAttribute('target', '_blank');
    // No link to a javascript: URL.
    await expect(placeholders.nth(2).getByRole('link')).toHaveCount(0);
    const axe = await new AxeBuilder({ page }).include('.consentseal-placeholder').analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);

    // The visitor first allows analytics only, then the video from its placeholder.
    await page.getByRole('button', { name: 'Customize' }).click();
    const dialog = page.getByRole('dialog', { name: 'Privacy preferences' });
    await dialog.getByRole('switch', { name: 'Analytics' }).click();
    await dialog.getByRole('button', { name: 'Save choices' }).click();
    await expect(page.locator('#pixel')).toHaveAttribute('src', '/e2e/pages/gating-pixel.svg');
    await expect(placeholders).toHaveCount(2);

    await first.getByRole('button', { name: 'Allow' }).click();
    await expect(video).toBeVisible();
    await expect(page.frameLocator('#video').getByText('Embedded content loaded')).toBeVisible();
    expect(await page.evaluate(() => window.ConsentSeal.getState().purposes)).toEqual({ necessary: true, analytics: true, marketing: true });
    // The unsafe embed got no src even though its purpose is granted.
    await expect(placeholders).toHaveCount(0);
    expect(await page.locator('#bad').getAttribute('src')).toBeNull();
    expect(await page.evaluate(() => window.hacked)).toBeUndefined();
  });

  test("a placeholder names the embed it hides by the embed's title, so several on a page tell apart", async ({ page }) => {
    await page.goto('/e2e/pages/gating-embeds.html');
    const video = page.locator('.consentseal-placeholder').first();
    await expect(video.locator('p')).toHaveText('Product video: This content needs your consent to “Marketing”.');
    // Screen readers hear it with the Allow button, whose description the text is.
    await expect(video.getByRole('button', { name: 'Allow' })).toHaveAccessibleDescription('Product video: This content needs your consent to “Marketing”.');
    // An embed without a title: the text alone.
    await expect(page.locator('.consentseal-placeholder').nth(1).locator('p')).toHaveText('This content needs your consent to “Analytics”.');
  });

  test('Allow on a first visit records a decision with only that purpose', async ({ page }) => {
    await page.goto('/e2e/pages/gating-embeds.html');
    await page.locator('.consentseal-placeholder').first().getByRole('button', { name: 'Allow' }).click();
    await expect(page.locator('#video')).toHaveAttribute('src', '/e2e/pages/gating-frame.html');
    expect(await page.evaluate(() => window.ConsentSeal.getState())).toMatchObject({ status: 'decided', purposes: { necessary: true, analytics: false, marketing: true } });
    await expect(page.getByRole('button', { name: 'Accept all' })).toHaveCount(0);
  });

  test('a copy of the page taken while blocked (Turbo cache, htmx history) shows its embed on Allow, with no empty box left', async ({ page }) => {
    await page.goto('/e2e/pages/gating-embeds.html');
    await page.getByRole('button', { name: 'Reject all' }).click();
    // What a cache of the page restores: the embeds as they were (hidden), our placeholders without their shadow roots.
    await page.evaluate(() => {
      const main = document.querySelector('main')!;
      main.innerHTML = main.innerHTML;
    });
    const placeholders = page.locator('.consentseal-placeholder');
    await expect(placeholders).toHaveCount(3);
    await placeholders.first().getByRole('button', { name: 'Allow' }).click();
    await expect(page.frameLocator('#video').getByText('Embedded content loaded')).toBeVisible();
    await expect(page.locator('#video')).toBeVisible();
    // Left: the analytics pixel's placeholder alone, drawn (marketing's two went with the grant).
    await expect(placeholders).toHaveCount(1);
    expect(await placeholders.evaluateAll((els) => els.every((e) => e.shadowRoot))).toBe(true);
  });

  test('go back behind the placeholder when their purpose is withdrawn', async ({ page }) => {
    await page.goto('/e2e/pages/gating-embeds.html');
    await page.getByRole('button', { name: 'Accept all' }).click();
    await expect(page.frameLocator('#video').getByText('Embedded content loaded')).toBeVisible();
    await page.getByRole('link', { name: 'Privacy settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Privacy preferences' });
    await dialog.getByRole('switch', { name: 'Marketing' }).click();
    await dialog.getByRole('button', { name: 'Save choices' }).click();
    await expect(page.locator('.consentseal-placeholder')).toHaveCount(2);
    await expect(page.locator('#video')).toBeHidden();
    expect(await page.locator('#video').getAttribute('src')).toBeNull();
    expect(page.frames().some((f) => f.url().endsWith('gating-frame.html'))).toBe(false);
  });
});

test('withdrawal unloads an embed in place: the element a framework holds stays the one on the page', async ({ page }) => {
  const thrown: string[] = [];
  page.on('pageerror', (e) => thrown.push(e.message));
  await page.goto('/e2e/pages/gating-embeds.html');
  await page.getByRole('button', { name: 'Accept all' }).click();
  await expect(page.frameLocator('#video').getByText('Embedded content loaded')).toBeVisible();
  // A single-page app keeps its own reference to the embed it rendered.
  await page.evaluate(() => ((window as unknown as { held: Element }).held = document.getElementById('video')!));
  await page.evaluate(() => (window as unknown as { ConsentSeal: { withdraw(ids: string[]): Promise<unknown> } }).ConsentSeal.withdraw(['marketing']));
  await expect(page.locator('.consentseal-placeholder')).toHaveCount(2);
  expect(page.frames().some((f) => f.url().endsWith('gating-frame.html'))).toBe(false);
  expect(await page.evaluate(() => (window as unknown as { held: Element }).held.isConnected)).toBe(true);
  // The app's next route removes it the way React does (removeChild on the parent it rendered into):
  // the embed and its placeholder are gone, and nothing throws.
  await page.evaluate(() => {
    const held = (window as unknown as { held: Element }).held;
    document.querySelector('main')!.removeChild(held);
  });
  await expect(page.locator('.consentseal-placeholder')).toHaveCount(1);
  await expect(page.locator('iframe[title="Product video"]')).toHaveCount(0);
  expect(thrown).toEqual([]);
});

test('withdrawal stops and unloads gated audio or video in place', async ({ page }) => {
  type Media = { paused: boolean; readyState: number; isConnected: boolean };
  await page.goto('/e2e/pages/gating-media.html');
  await page.getByRole('button', { name: 'Accept all' }).click();
  const audio = page.locator('#audio');
  await expect(audio).toHaveAttribute('src', '/e2e/pages/gating-tone.wav');
  // Muted, so the browser lets it play without a click on it.
  await audio.evaluate((a: HTMLAudioElement) => ((a.muted = true), a.play()));
  await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.currentTime)).toBeGreaterThan(0);
  await page.evaluate(() => (window as unknown as { held: Element }).held = document.getElementById('audio')!);
  await page.evaluate(() => (window as unknown as { ConsentSeal: { withdraw(ids: string[]): Promise<unknown> } }).ConsentSeal.withdraw(['marketing']));
  await expect(page.locator('.consentseal-placeholder')).toContainText('Marketing');
  const held = await page.evaluate(() => {
    const a = (window as unknown as { held: HTMLAudioElement }).held;
    return { paused: a.paused, readyState: a.readyState, isConnected: a.isConnected } satisfies Media;
  });
  // Nothing plays and nothing is held (HAVE_NOTHING), on the very element the page had.
  expect(held).toEqual({ paused: true, readyState: 0, isConnected: true });
  expect(await audio.getAttribute('src')).toBeNull();
});

test('under a strict CSP (no inline style or script) placeholders are styled, and Allow loads the embed and its script', async ({ page }) => {
  await page.addInitScript(() => {
    (window as unknown as { violations: string[] }).violations = [];
    document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { violations: string[] }).violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const response = await page.goto('/e2e/pages/gating-embeds.csp.html');
  expect(response!.headers()['content-security-policy']).toContain("style-src 'self'");
  const allow = page.locator('.consentseal-placeholder').getByRole('button', { name: 'Allow' });
  // Styled by the adopted stylesheet: the widget's accent colour.
  expect(await allow.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(29, 78, 216)');
  await allow.click();
  await expect(page.frameLocator('#video').getByText('Embedded content loaded')).toBeVisible();
  await expect.poll(() => page.evaluate(() => (window as unknown as { ran?: string[] }).ran)).toEqual(['csp']);
  expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
});

test.describe('re-open links', () => {
  test('any data-consent-open element opens the preferences on click, Enter (and Space for a role=button), also when added later', async ({ page }) => {
    await page.goto('/e2e/pages/gating-embeds.html');
    await page.getByRole('button', { name: 'Reject all' }).click();
    const dialog = page.getByRole('dialog', { name: 'Privacy preferences' });
    await expect(dialog).toHaveCount(0);

    await page.getByRole('link', { name: 'Privacy settings' }).click();
    await expect(dialog).toBeVisible();
    expect(page.url()).not.toContain('#privacy');
    await page.keyboard.press('Escape');
    // Closed, with focus back on the opener, before the next element is focused.
    await expect(dialog).toHaveCount(0);

    await page.locator('#reopen-span').focus();
    await page.keyboard.press('Enter');
    await expect(dialog).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);

    await page.getByRole('link', { name: 'Privacy settings' }).focus();
    await page.keyboard.press('Enter');
    await expect(dialog).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);

    // A role="button" element (as the README advises for non-buttons) also answers Space, like a button.
    await page.evaluate(() => document.getElementById('reopen-span')!.setAttribute('role', 'button'));
    await page.getByRole('button', { name: 'Cookie settings' }).focus();
    await page.keyboard.press('Space');
    await expect(dialog).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);

    await page.evaluate(() => {
      const b = document.createElement('button');
      b.textContent = 'Your privacy choices';
      b.setAttribute('data-consent-open', '');
      document.body.append(b);
    });
    await page.getByRole('button', { name: 'Your privacy choices' }).click();
    await expect(dialog).toBeVisible();
  });
});

test('a page that enforces Trusted Types: gated scripts cannot run, which is reported, never thrown; embeds still load', async ({ page }) => {
  const thrown: string[] = [];
  page.on('pageerror', (e) => thrown.push(e.message));
  await page.goto('/e2e/pages/gating-trusted-types.html');
  await page.getByRole('button', { name: 'Accept all' }).click();
  await expect(page.locator('#video')).toHaveAttribute('src', '/e2e/pages/gating-frame.html');
  // Running page-supplied text as script would need a Trusted Types policy that lets anything
  // through: the SDK makes none, so the site's enforcement holds, and each script is reported once.
  await expect.poll(() => page.evaluate(() => (window as unknown as { errors: string[] }).errors)).toEqual(['gating', 'gating']);
  expect(await page.evaluate(() => (window as unknown as { inlineRan?: boolean }).inlineRan)).toBeUndefined();
  expect(thrown).toEqual([]);
});
