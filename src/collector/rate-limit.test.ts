import { expect, it } from 'vitest';
import { clientKey, tokenBuckets } from './rate-limit';

it('keys an IPv6 client by its /64, however the address is written', () => {
  const key = '2001:db8:0:1::/64';
  for (const a of [
    '2001:db8:0:1::1',
    '2001:db8:0:1:ffff:ffff:ffff:ffff',
    '2001:0DB8:0000:0001:0000:0000:0000:0001',
    '2001:db8::1:a:b:c:d',
    '[2001:db8:0:1::9]:443',
    '[2001:db8:0:1::9]',
    ' 2001:db8:0:1::9 ',
    '2001:db8:0:1::1%eth0',
  ]) {
    expect(clientKey(a), a).toBe(key);
  }
  expect(clientKey('2001:db8:0:2::1')).toBe('2001:db8:0:2::/64');
  expect(clientKey('2001:db8::')).toBe('2001:db8:0:0::/64');
  expect(clientKey('::1')).toBe('0:0:0:0::/64');
  expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  // An IPv6 address ending in dotted IPv4 that is not IPv4-mapped is still keyed by its /64.
  expect(clientKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
});

it('counts an IPv4-mapped IPv6 address as its IPv4 address and keeps IPv4 addresses whole', () => {
  expect(clientKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
  expect(clientKey('::FFFF:192.0.2.1')).toBe('192.0.2.1');
  expect(clientKey('::ffff:c000:201')).toBe('192.0.2.1');
  expect(clientKey('0:0:0:0:0:ffff:c000:0201')).toBe('192.0.2.1');
  expect(clientKey('192.0.2.1')).toBe('192.0.2.1');
  expect(clientKey('192.0.2.1:8080')).toBe('192.0.2.1');
  expect(clientKey('192.0.2.2')).toBe('192.0.2.2');
  // Not mapped: ::fffe: is an ordinary IPv6 prefix.
  expect(clientKey('::fffe:c000:201')).toBe('0:0:0:0::/64');
});

it('keeps anything else as given, cut to 100 characters', () => {
  expect(clientKey('unknown')).toBe('unknown');
  expect(clientKey('x'.repeat(5000))).toBe('x'.repeat(100));
  expect(clientKey('2001:db8::1::2')).toBe('2001:db8::1::2');
});

it('makes a whole /64 share one token bucket', () => {
  const t = 1_000_000;
  const buckets = tokenBuckets({ perSecond: 1, burst: 2 }, () => t);
  expect(buckets.take(clientKey('2001:db8:0:1::1'))).toBe(0);
  expect(buckets.take(clientKey('2001:db8:0:1::2'))).toBe(0);
  expect(buckets.take(clientKey('2001:db8:0:1:dead:beef:0:3'))).toBe(1);
  expect(buckets.take(clientKey('2001:db8:0:2::1'))).toBe(0);
});
