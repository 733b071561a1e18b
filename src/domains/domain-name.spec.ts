import { isWithin, normaliseDomain } from './domain-name.js';

describe('normaliseDomain', () => {
  it.each([
    ['Example.ORG', 'example.org'],
    ['example.org.', 'example.org'],
    ['  cs.uni-example.edu ', 'cs.uni-example.edu'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['xn--bcher-kva.de', 'xn--bcher-kva.de'],
    ['uni.ac.uk', 'uni.ac.uk'],
    ['例え.jp', 'xn--r8jz45g.jp'],
  ])('%s becomes %s', (input, expected) => {
    expect(normaliseDomain(input)).toMatchObject({ ok: true, name: expected });
  });

  it.each([
    ['', 'domain_invalid'],
    ['exa mple.org', 'domain_invalid'],
    ['*.example.org', 'domain_invalid'],
    ['-bad.example.org', 'domain_invalid'],
    ['bad-.example.org', 'domain_invalid'],
    ['under_score.example.org', 'domain_invalid'],
    ['a..example.org', 'domain_invalid'],
    ['ab--cd.example.org', 'domain_invalid'],
    ['https://example.org', 'domain_invalid'],
    [`${'a'.repeat(64)}.example.org`, 'domain_label_too_long'],
    [`${'abcdefghi.'.repeat(25)}example.org`, 'domain_too_long'],
    ['localhost', 'domain_not_public'],
    ['server.corp', 'domain_not_public'],
    ['host.internal', 'domain_not_public'],
    ['co.uk', 'domain_public_suffix'],
    // A top-level domain is a public suffix, not a name outside the public DNS.
    ['org', 'domain_public_suffix'],
    ['se', 'domain_public_suffix'],
    ['ac.uk', 'domain_public_suffix'],
    // Cyrillic а and е inside Latin text: looks like "paypal.com".
    ['pаypаl.com', 'domain_confusable'],
    // All-Cyrillic letters that read as "apple".
    ['аррӏе.com', 'domain_confusable'],
  ])('refuses %j with %s', (input, problem) => {
    expect(normaliseDomain(input)).toEqual({ ok: false, problem });
  });

  it('accepts a genuinely Cyrillic name', () => {
    expect(normaliseDomain('пример.рф')).toMatchObject({ ok: true });
  });
});

describe('isWithin', () => {
  it.each([
    ['example.org', 'example.org', true],
    ['www.example.org', 'example.org', true],
    ['a.b.example.org', 'example.org', true],
    ['badexample.org', 'example.org', false],
    ['example.org.evil.net', 'example.org', false],
  ])('%s within %s: %s', (name, domain, expected) => {
    expect(isWithin(name, domain)).toBe(expected);
  });
});
