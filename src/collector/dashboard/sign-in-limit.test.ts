import { expect, it } from 'vitest';
import { signInLimiter } from './sign-in-limit';

it('locks a client out with the failure that spends its last token, for as long as its next token takes', () => {
  let t = 1_000_000;
  const limits = signInLimiter({ perClient: { perSecond: 1 / 12, burst: 2 }, allClients: { perSecond: 1, burst: 100 } }, () => t);
  expect(limits.lockedFor('192.0.2.1')).toBe(0);
  limits.failed('192.0.2.1');
  expect(limits.lockedFor('192.0.2.1')).toBe(0);
  // The second failure spends the last token: no third guess is checked.
  limits.failed('192.0.2.1');
  expect(limits.lockedFor('192.0.2.1')).toBe(12);
  expect(limits.lockedFor('192.0.2.2')).toBe(0);
  t += 11_500;
  expect(limits.lockedFor('192.0.2.1')).toBe(1);
  t += 500;
  expect(limits.lockedFor('192.0.2.1')).toBe(0);
  // One token came back: one more failure, and the lockout starts again.
  limits.failed('192.0.2.1');
  expect(limits.lockedFor('192.0.2.1')).toBe(12);
});

it('locks every client out once failures over all clients spend the shared bucket', () => {
  let t = 1_000_000;
  const limits = signInLimiter({ perClient: { perSecond: 1, burst: 10 }, allClients: { perSecond: 1, burst: 3 } }, () => t);
  for (const ip of ['198.51.100.1', '198.51.100.2']) limits.failed(ip);
  expect(limits.lockedFor('198.51.100.9')).toBe(0);
  limits.failed('198.51.100.3');
  expect(limits.lockedFor('198.51.100.9')).toBe(1);
  t += 1_000;
  expect(limits.lockedFor('198.51.100.9')).toBe(0);
});
