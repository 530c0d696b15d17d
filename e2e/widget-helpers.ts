import { expect, type Page } from '@playwright/test';

// Shared helpers for the widget specs: the widget lives in the open shadow root of <cs-layer>,
// which Playwright's role locators pierce.

export type State = { status: string; purposes: Record<string, boolean>; subjectId: string; decidedAt?: string; receiptId?: string };
type Api = {
  ready: Promise<void>;
  getState(): State;
  init(config: unknown): unknown;
  showPreferences(): void;
  acceptAll(): Promise<State>;
  on(event: string, fn: (p: unknown) => void): () => void;
};
/** The page's window as these specs see it (cast inside page.evaluate; other specs declare their own globals). */
export type W = { ConsentSeal: Api; events: string[]; __pwned?: number; violations: string[]; cls: number; same: boolean };

export const banner = (page: Page) => page.getByRole('region', { name: 'We value your privacy' });
export const prefs = (page: Page) => page.getByRole('dialog', { name: 'Privacy preferences' });
export const state = (page: Page) => page.evaluate(() => (window as unknown as W).ConsentSeal.getState());

/** Opens a widget page and waits until the banner shows. */
export async function openWithBanner(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expect(banner(page)).toBeVisible();
}

/** The config the e2e pages share, read from the bar page so every spec uses the same one. */
export async function pageConfig(page: Page): Promise<Record<string, unknown>> {
  return page.evaluate(async () => {
    const html = await fetch('/e2e/pages/widget-bar.html').then((r) => r.text());
    const json = /<script type="application\/json" id="consentseal-config">([\s\S]*?)<\/script>/.exec(html)![1]!;
    return JSON.parse(json) as Record<string, unknown>;
  });
}
