import { BadRequest } from '@org/core';
import { describe, expect, it } from 'vitest';
import { RedirectPolicy, parseOrigin } from './redirect-policy.ts';

const policy = new RedirectPolicy({
  redirect: 'https://target.com/login?from=oauth',
  origins: ['https://admin.target.com', 'http://localhost:3000'],
});

function refusal(fn: () => unknown): BadRequest {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequest);
    return error as BadRequest;
  }
  throw new Error('expected a refusal');
}

describe('RedirectPolicy: configuration', () => {
  it('normalises origins as URL does and puts the redirect origin first', () => {
    const p = new RedirectPolicy({
      redirect: 'HTTPS://Target.COM:443/app',
      origins: ['https://Admin.Target.com/', 'https://exämple.com', 'http://localhost:3000'],
    });
    expect(p.defaultOrigin).toBe('https://target.com');
    expect(p.origins).toEqual([
      'https://target.com',
      'https://admin.target.com',
      'https://xn--exmple-cua.com',
      'http://localhost:3000',
    ]);
    expect(p.defaultPath).toBe('/app');
  });

  it.each([
    ['a path', 'https://target.com/app'],
    ['a query', 'https://target.com/?x=1'],
    ['a trailing ?', 'https://target.com?'],
    ['a fragment', 'https://target.com/#x'],
    ['user info', 'https://user@target.com'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,hi'],
    ['a relative path', '/login'],
    ['a tab', 'https://tar\tget.com'],
    ['not a string', 42],
  ])('refuses an origin with %s', (_what, origin) => {
    const error = refusal(
      () => new RedirectPolicy({ redirect: 'https://target.com/', origins: [origin as string] }),
    );
    expect(error.reason).toBe('invalid-configuration');
  });

  it.each([
    ['ftp:', 'ftp://target.com/'],
    ['user info', 'https://a:b@target.com/'],
    ['a fragment', 'https://target.com/#x'],
    ['no scheme', 'target.com/login'],
    ['empty', ''],
  ])('refuses a redirect with %s', (_what, redirect) => {
    expect(refusal(() => new RedirectPolicy({ redirect })).reason).toBe('invalid-configuration');
  });

  it('parseOrigin accepts an origin with or without its slash', () => {
    expect(parseOrigin('https://target.com/', 'x')).toBe('https://target.com');
    expect(parseOrigin('http://127.0.0.1:8080', 'x')).toBe('http://127.0.0.1:8080');
  });
});

describe('RedirectPolicy.pickOrigin: exact parsed origins, never startsWith', () => {
  it.each([
    ['https://admin.target.com/some/page?x=1', 'https://admin.target.com'],
    ['HTTPS://ADMIN.TARGET.COM/', 'https://admin.target.com'],
    ['http://localhost:3000/', 'http://localhost:3000'],
    ['https://target.com:443/x', 'https://target.com'],
  ])('picks the allowed origin of %s', (referer, origin) => {
    expect(policy.pickOrigin(referer)).toBe(origin);
  });

  it.each([
    ['startsWith bypass: a longer host', 'https://target.com.attacker.com/'],
    ['startsWith bypass: a dash suffix', 'https://target.com-attacker.com/'],
    ['startsWith bypass: a port suffix', 'http://localhost:30001/'],
    ['another port', 'http://localhost:3001/'],
    ['another scheme', 'http://target.com/'],
    ['user info that looks like the host', 'https://target.com@attacker.com/'],
    ['user info on the allowed host', 'https://attacker@target.com/'],
    ['a trailing dot', 'https://target.com./'],
    ['a sibling subdomain', 'https://evil.target.com/'],
    ['a homograph (Cyrillic a)', 'https://t\u0430rget.com/'],
    ['javascript:', 'javascript:alert(document.domain)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['a tab inside', 'https://target.com\t.attacker.com/'],
    ['not a URL', 'target.com'],
    ['nothing', undefined],
  ])('falls back to the default origin for %s', (_what, referer) => {
    expect(policy.pickOrigin(referer)).toBe('https://target.com');
  });
});

describe('RedirectPolicy.resolve: relative paths only, the origin kept', () => {
  it.each([
    [undefined, 'https://target.com/login?from=oauth'],
    ['', 'https://target.com/login?from=oauth'],
    ['/inbox', 'https://target.com/inbox'],
    ['/inbox?tab=2&x=%2F', 'https://target.com/inbox?tab=2&x=%2F'],
    ['/a/../b', 'https://target.com/b'],
    ['/ünïcode', 'https://target.com/%C3%BCn%C3%AFcode'],
    ['/@attacker.com', 'https://target.com/@attacker.com'],
    ['/\uff0fattacker.com', 'https://target.com/%EF%BC%8Fattacker.com'],
  ])('resolves %j on the origin', (path, href) => {
    expect(policy.resolve('https://target.com', path).href).toBe(href);
  });

  it('keeps the chosen allowed origin', () => {
    expect(policy.resolve('https://admin.target.com', '/x').href).toBe('https://admin.target.com/x');
    expect(policy.resolve('http://localhost:3000').href).toBe('http://localhost:3000/login?from=oauth');
  });

  it('refuses an origin that is not allowed', () => {
    expect(refusal(() => policy.resolve('https://attacker.com', '/x')).reason).toBe('invalid-redirect');
  });

  it.each([
    ['authority injection (Feathers ?redirect=@attacker.com)', '@attacker.com'],
    ['domain suffix (CVE-2026-27191, ?redirect=.attacker.com)', '.attacker.com'],
    ['dash suffix', '-attacker.com'],
    ['a bare host', 'attacker.com'],
    ['protocol-relative', '//attacker.com'],
    ['protocol-relative with a path', '//attacker.com/login'],
    ['triple slash', '///attacker.com'],
    ['backslash', '/\\attacker.com'],
    ['double backslash', '\\\\attacker.com'],
    ['backslash then slash', '\\/attacker.com'],
    ['a backslash later on', '/a\\b'],
    ['encoded slashes', '/%2F%2Fattacker.com'],
    ['encoded slash after one', '/%2Fattacker.com'],
    ['lower-case encoding', '/%2f%2fattacker.com'],
    ['encoded backslash', '/%5Cattacker.com'],
    ['double-encoded slashes', '/%252F%252Fattacker.com'],
    ['triple-encoded slashes', '/%25252F%25252Fattacker.com'],
    ['a tab the parser strips', '/\t/attacker.com'],
    ['a newline the parser strips', '/\n/attacker.com'],
    ['a carriage return', '/\r/attacker.com'],
    ['an encoded tab', '/%09/attacker.com'],
    ['an encoded newline', '/%0a/attacker.com'],
    ['a leading space', ' /inbox'],
    ['a NUL', '/inbox\0'],
    ['javascript:', 'javascript:alert(1)'],
    ['JavaScript: with case', 'JaVaScRiPt:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['an absolute URL', 'https://attacker.com/'],
    ['an absolute URL on the allowed origin', 'https://target.com/inbox'],
    ['user info', 'https://target.com@attacker.com'],
    ['a fragment', '/inbox#access_token=x'],
    ['too long', `/${'a'.repeat(2048)}`],
  ])('refuses %s', (_what, path) => {
    const error = refusal(() => policy.resolve('https://target.com', path));
    expect(error.reason).toBe('invalid-redirect');
    expect(error.code).toBe(400);
  });

  it('refuses a non-string redirect (a repeated query parameter read as a list)', () => {
    expect(refusal(() => policy.checkPath(['/a', '//b'] as unknown as string)).reason).toBe(
      'invalid-redirect',
    );
  });
});

describe('RedirectPolicy.allows', () => {
  it.each([
    ['https://target.com/x', true],
    ['https://admin.target.com/', true],
    ['https://target.com.attacker.com/', false],
    ['https://u:p@target.com/', false],
    ['not a url', false],
    ['https://target.com./', false],
  ])('%s -> %s', (url, allowed) => {
    expect(policy.allows(url)).toBe(allowed);
  });
});
