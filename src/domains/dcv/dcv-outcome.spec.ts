import { loadCatalogue } from '../../i18n/i18n.service.js';
import { DCV_METHODS } from './dcv-challenge.js';
import {
  DCV_OUTCOME_CODES,
  dnsFailure,
  MAX_DETAIL,
  outcome,
  redirectTarget,
  sameName,
} from './dcv-outcome.js';

describe('outcome', () => {
  it('is ok only when found', () => {
    expect(outcome('found', 'x').ok).toBe(true);
    expect(outcome('value-mismatch', 'x').ok).toBe(false);
  });

  it('bounds the detail and removes control characters', () => {
    const long = outcome('http-content-mismatch', `a\r\nb${'x'.repeat(2000)}`);
    expect(long.detail.length).toBe(MAX_DETAIL);
    expect(long.detail.startsWith('a b')).toBe(true);
  });
});

describe('sameName', () => {
  it('ignores case and a trailing dot', () => {
    expect(sameName('ABC.Dcv.Example.', 'abc.dcv.example')).toBe(true);
    expect(sameName('abc.dcv.example.org', 'abc.dcv.example')).toBe(false);
  });
});

describe('dnsFailure', () => {
  it.each([
    ['ENOTFOUND', 'nxdomain'],
    ['ENODATA', 'record-missing'],
    ['ETIMEOUT', 'timeout'],
    ['ESERVFAIL', 'dns-error'],
    ['EREFUSED', 'dns-error'],
  ])('maps %s to %s', (code, expected) => {
    const err = Object.assign(new Error(`queryTxt ${code} x`), { code });
    expect(dnsFailure(err, 'TXT x').code).toBe(expected);
  });
});

describe('redirectTarget', () => {
  const from = new URL('http://uni.example.org/.well-known/pki-validation/f.txt');

  it.each([
    ['/other.txt', 'http://uni.example.org/other.txt'],
    ['https://uni.example.org/f.txt', 'https://uni.example.org/f.txt'],
    ['http://www.uni.example.org:80/f.txt', 'http://www.uni.example.org/f.txt'],
    ['https://WWW.Uni.Example.org:443/f.txt', 'https://www.uni.example.org/f.txt'],
    ['http://uni.example.org:443/f.txt', 'http://uni.example.org:443/f.txt'],
  ])('follows %s', (location, expected) => {
    expect(String(redirectTarget('uni.example.org', from, location))).toBe(expected);
  });

  it.each([
    ['http://example.org/f.txt', /outside uni\.example\.org/],
    ['http://evil-uni.example.org/f.txt', /outside/],
    ['http://uni.example.org.evil.test/f.txt', /outside/],
    ['http://127.0.0.1/f.txt', /outside/],
    ['http://uni.example.org:8080/f.txt', /ports 80 and 443/],
    ['ftp://uni.example.org/f.txt', /http and https/],
    ['http://[bad', /not a URL/],
  ])('refuses %s', (location, reason) => {
    const result = redirectTarget('uni.example.org', from, location);
    expect(typeof result).toBe('string');
    expect(result).toMatch(reason);
  });
});

describe('dcv messages', () => {
  it('explain every outcome code and name and describe every method', () => {
    const en = loadCatalogue().get('en')!;
    const keys = [
      ...DCV_OUTCOME_CODES.map((code) => `dcv.outcome.${code}`),
      ...DCV_METHODS.flatMap((m) => [`dcv.method.${m}`, `dcv.instructions.${m}`]),
    ];
    expect(keys.filter((key) => !en.has(key))).toEqual([]);
  });
});
