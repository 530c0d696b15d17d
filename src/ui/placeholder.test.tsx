// @vitest-environment happy-dom
import { afterEach, expect, it, vi } from 'vitest';
import { createConsentCore } from '../core/consent';
import { gatingPlugin } from '../gating/index';
import type { DecisionStorage } from '../storage/persistence';
import { placeholderPlugin } from './placeholder';

const storage: DecisionStorage = { readSync: () => undefined, load: async () => undefined, save: async () => {}, watch: () => () => {} };
const setup = () =>
  createConsentCore(
    { policyVersion: 'v1', policyUrl: '/privacy', purposes: [{ id: 'necessary', required: true }, { id: 'video' }] },
    { storage: () => storage, plugins: [gatingPlugin, placeholderPlugin] },
  );
let cs: ReturnType<typeof setup> | undefined;
afterEach(() => cs?.destroy());

it('hands keyboard focus from Allow to the embed it loads (not back to the start of the page)', async () => {
  document.body.innerHTML = '<button id="before">x</button><iframe data-consent="video" data-src="https://video.example/1" id="f"></iframe>';
  cs = setup();
  const host = document.querySelector<HTMLElement>('.consentseal-placeholder')!;
  const allow = host.shadowRoot!.querySelector('button')!;
  allow.focus();
  allow.click();
  await vi.waitFor(() => expect(host.isConnected).toBe(false));
  expect(document.activeElement).toBe(document.getElementById('f'));
});

it('leaves focus alone when the embed is allowed from elsewhere', async () => {
  document.body.innerHTML = '<button id="before">x</button><iframe data-consent="video" data-src="https://video.example/1" id="f"></iframe>';
  cs = setup();
  const before = document.getElementById('before')!;
  before.focus();
  await cs.acceptAll();
  await vi.waitFor(() => expect(document.querySelector('.consentseal-placeholder')).toBeNull());
  expect(document.activeElement).toBe(before);
});
