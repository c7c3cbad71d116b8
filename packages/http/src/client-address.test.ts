import { BadRequest } from '@org/core';
import { describe, expect, it } from 'vitest';
import { addressKey, clientAddress, compileTrustedProxies } from './client-address.ts';

describe('clientAddress', () => {
  it('is the peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress('10.0.0.5', '203.0.113.9', undefined)).toBe('10.0.0.5');
    expect(clientAddress('10.0.0.5', '203.0.113.9', compileTrustedProxies(false))).toBe('10.0.0.5');
  });

  it('walks X-Forwarded-For from the right past trusted hops only', () => {
    const trusted = compileTrustedProxies(['10.0.0.0/8', 'loopback']);
    expect(clientAddress('10.0.0.5', '203.0.113.9', trusted)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.5', '198.51.100.1, 203.0.113.9, 10.1.1.1', trusted)).toBe('203.0.113.9');
    expect(clientAddress('192.0.2.7', '203.0.113.9', trusted)).toBe('192.0.2.7');
    expect(clientAddress('127.0.0.1', undefined, trusted)).toBe('127.0.0.1');
  });

  it('refuses a trustProxy entry that is not an address or range', () => {
    expect(() => compileTrustedProxies(['not-an-ip'])).toThrow(BadRequest);
    expect(() => compileTrustedProxies('10.0.0.1' as never)).toThrow(/trustProxy must be false or a list/);
  });
});

describe('addressKey', () => {
  it('keeps IPv4, unmaps IPv4-mapped IPv6, and counts IPv6 by /64', () => {
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb::9')).toBe(addressKey('2001:db8:1:2:aaaa::1'));
    expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'));
    expect(addressKey('unix-socket')).toBe('unix-socket');
  });
});
