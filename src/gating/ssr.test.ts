import { describe, expect, it } from 'vitest';
import { createConsentCore } from '../core/consent';
import type { ConsentErrorEvent } from '../core/types';
import type { DecisionStorage } from '../storage/persistence';
import { googleConsentModePlugin } from '../integrations/google-consent-mode';
import { gatingPlugin } from './index';

describe('without a browser (server-side rendering)', () => {
  it('gating and Consent Mode stay quiet: no error, decisions still work', async () => {
    expect(typeof document).toBe('undefined');
    const errors: ConsentErrorEvent[] = [];
    const storage: DecisionStorage = { readSync: () => undefined, load: async () => undefined, save: async () => {}, watch: () => () => {} };
    const cs = createConsentCore(
      { policyVersion: 'v1', policyUrl: '/privacy', purposes: [{ id: 'analytics', services: [{ id: 'ga', cookies: ['_ga'] }] }], googleConsentMode: { analytics_storage: ['analytics'] }, reloadOnWithdraw: true },
      { storage: () => storage, plugins: [(c) => void c.on('error', (e) => errors.push(e)), googleConsentModePlugin, gatingPlugin] },
    );
    await cs.acceptAll();
    await cs.withdraw();
    expect(cs.isGranted('analytics')).toBe(false);
    expect(errors).toEqual([]);
    cs.destroy();
  });
});
