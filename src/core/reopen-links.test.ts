// @vitest-environment happy-dom
import { afterEach, expect, it } from 'vitest';
import { createConsentCore } from './consent';
import type { DecisionStorage } from '../storage/persistence';

const config = { policyVersion: 'v1', policyUrl: '/privacy', purposes: [{ id: 'analytics' }] };
const storage: DecisionStorage = { readSync: () => undefined, load: async () => undefined, save: async () => {}, watch: () => () => {} };
// The core itself listens for re-open links: no plugin needed.
const setup = () => createConsentCore(config, { storage: () => storage });

let cs: ReturnType<typeof setup> | undefined;
afterEach(() => cs?.destroy());

it('opens the preferences on click and Enter, also from elements added later', () => {
  cs = setup();
  const views: string[] = [];
  cs.on('view', (v) => views.push(v.view));
  document.body.innerHTML = '<a href="#privacy" data-consent-open id="l"><span id="inner">Privacy</span></a><div tabindex="0" role="button" data-consent-open id="d">x</div><button id="other">o</button>';
  const click = new MouseEvent('click', { bubbles: true, cancelable: true });
  document.getElementById('inner')!.dispatchEvent(click);
  // The link does not navigate.
  expect(click.defaultPrevented).toBe(true);
  document.getElementById('d')!.dispatchEvent(new KeyboardEvent('keydown', { key: ' ', bubbles: true }));
  // Enter on a link clicks it; the keydown alone must not open twice.
  document.getElementById('l')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
  document.getElementById('other')!.click();
  expect(views).toEqual(['preferences', 'preferences']);
});

it('stops listening when the instance is destroyed', () => {
  cs = setup();
  const views: string[] = [];
  cs.on('view', (v) => views.push(v.view));
  document.body.innerHTML = '<button data-consent-open id="b">Privacy settings</button>';
  cs.destroy();
  document.getElementById('b')!.click();
  expect(views).toEqual([]);
});
