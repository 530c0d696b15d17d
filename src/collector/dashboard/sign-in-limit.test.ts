import { expect, it } from 'vitest';
import { signInLimiter } from './sign-in-limit';

it('locks a client out once a failure finds its bucket empty, for as long as its next token takes', () => {
  let t = 1_000_000;
  const limits = signInLimiter({ perClient: { perSecond: 1 / 12, burst: 2 }, allClients: { perSecond: 1, burst: 100 } }, () => t);
  for (let i = 0; i < 2; i++) {
    expect(limits.lockedFor('192.0.2.1')).toBe(0);
    limits.failed('192.0.2.1');
  }
  // The third failure is still checked; it finds the bucket empty and starts the lockout.
  expect(limits.lockedFor('192.0.2.1')).toBe(0);
  limits.failed('192.0.2.1');
  expect(limits.lockedFor('192.0.2.1')).toBe(12);
  expect(limits.lockedFor('192.0.2.2')).toBe(0);
  t += 11_500;
  expect(limits.lockedFor('192.0.2.1')).toBe(1);
  t += 500;
  expect(limits.lockedFor('192.0.2.1')).toBe(0);
});

it('locks every client out once failures over all clients empty the shared bucket', () => {
  let t = 1_000_000;
  const limits = signInLimiter({ perClient: { perSecond: 1, burst: 10 }, allClients: { perSecond: 1, burst: 3 } }, () => t);
  for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4']) limits.failed(ip);
  expect(limits.lockedFor('198.51.100.9')).toBe(1);
  t += 1_000;
  expect(limits.lockedFor('198.51.100.9')).toBe(0);
});
