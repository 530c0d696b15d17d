import { describe, expect, it } from 'vitest';
import type { ConsentState, DecisionEvent } from '../core/types';
import { receiptPayload } from './payload';

const state: ConsentState = { status: 'decided', purposes: { necessary: true, analytics: false }, policyVersion: 'v7', subjectId: 'sub-1', decidedAt: '2026-11-29T10:00:00.000Z' };
const ev: DecisionEvent = { state, previous: { ...state, status: 'pending' }, action: 'reject-all', method: 'banner', gpc: true };
const ctx = {
  receiptId: 'r-1',
  issuedAt: '2026-11-29T10:00:00.123Z',
  head: undefined,
  policyUrl: '/legal/privacy',
  language: 'zh-CN',
  noticeHash: 'nh',
  href: 'https://shop.example:8443/cart/checkout?session=secret#step2',
  ephemeralKey: false,
};

describe('receiptPayload', () => {
  it('lists exactly the contract members in order, first of a chain', () => {
    const p = receiptPayload(ev, ctx);
    expect(Object.keys(p)).toEqual(['ver', 'receiptId', 'subjectId', 'seq', 'prev', 'issuedAt', 'action', 'method', 'purposes', 'policyVersion', 'policyUrl', 'language', 'noticeHash', 'page', 'gpc', 'ephemeralKey', 'sdk']);
    expect(p).toEqual({
      ver: 1, receiptId: 'r-1', subjectId: 'sub-1', seq: 1, prev: null, issuedAt: '2026-11-29T10:00:00.123Z',
      action: 'reject-all', method: 'banner', purposes: { necessary: true, analytics: false }, policyVersion: 'v7',
      policyUrl: 'https://shop.example:8443/legal/privacy', language: 'zh-CN', noticeHash: 'nh',
      page: 'https://shop.example:8443/cart/checkout', gpc: true, ephemeralKey: false, sdk: `consentseal@${__SDK_VERSION__}`,
    });
  });

  it('continues the chain from its head', () => {
    const p = receiptPayload(ev, { ...ctx, head: { seq: 4, hash: 'h4' }, ephemeralKey: true, policyUrl: 'https://other.example/p' });
    expect(p).toMatchObject({ seq: 5, prev: 'h4', ephemeralKey: true, policyUrl: 'https://other.example/p' });
  });
});
