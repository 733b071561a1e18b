import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bitString,
  buildCsr,
  closePrimes,
  int,
  keyFor,
  nul,
  oid,
  randomPrime,
  rocaPrime,
  rsaKeyFromPrimes,
  seq,
  type CsrSpec,
  type SanSpec,
} from '../../test/fixtures/csr/csr-builder.js';
import { PROJECT_ROOT } from '../common/paths.js';
import { parseCsr, type ParsedCsr } from './csr-parser.js';
import {
  evaluateCsr,
  type OrganisationDomain,
  type PolicyContext,
  type ProductPolicy,
  type Verdict,
} from './csr-policy.js';
import { FINDING_CODES, type Finding } from './csr.errors.js';
import { DebianBlocklist } from './weak-keys/debian-blocklist.js';
import { ROCA_PRIMES } from './weak-keys/roca.js';

const NOW = new Date('2026-01-15T10:00:00Z');
const DAY = 86_400_000;

const TLS: ProductPolicy = {
  code: 'ov-multi',
  kind: 'tls',
  maxNames: 5,
  wildcardsAllowed: true,
  maxValidityDays: 398,
};
const CODE_SIGNING: ProductPolicy = {
  code: 'code-signing',
  kind: 'code-signing',
  maxNames: 0,
  wildcardsAllowed: false,
  maxValidityDays: 1186,
};

const domain = (name: string, extra: Partial<OrganisationDomain> = {}): OrganisationDomain => ({
  name,
  validated: true,
  validationExpiresAt: new Date(NOW.getTime() + 100 * DAY),
  delegatedToDepartment: true,
  wildcardsAllowed: true,
  ...extra,
});

const DOMAINS: OrganisationDomain[] = [
  domain('example.org'),
  domain('Example.co.uk.'),
  domain('shop.example.org', { validated: false, validationExpiresAt: null }),
  domain('old.example.org', { validationExpiresAt: new Date('2026-01-01T00:00:00Z') }),
  domain('edge.example.org', { validationExpiresAt: NOW }),
  domain('forever.example.org', { validationExpiresAt: null }),
  domain('other-dept.example.org', { delegatedToDepartment: false }),
  domain('nowild.example.org', { wildcardsAllowed: false }),
  domain('93.184.216.34'),
  domain('2606:2800:220:1:248:1893:25c8:1946'),
];

const CLEAN_HISTORY = {
  compromised: false,
  usedByOtherOrganisation: false,
  usedInSameOrganisation: false,
};

function context(overrides: Partial<PolicyContext> = {}): PolicyContext {
  return {
    now: NOW,
    product: TLS,
    domains: DOMAINS,
    debianWeak: () => false,
    keyHistory: CLEAN_HISTORY,
    ...overrides,
  };
}

// Every verdict the tests see goes through here, so the last test can check that each
// finding code was produced at least once and that its English message has its params.
const emitted: Finding[] = [];
function evaluate(csr: ParsedCsr, overrides: Partial<PolicyContext> = {}): Verdict {
  const verdict = evaluateCsr(csr, context(overrides));
  emitted.push(...verdict.errors, ...verdict.warnings);
  return verdict;
}

const codes = (v: Verdict): string[] => v.errors.map((f) => f.code);

let ec: KeyObject;
let rsa2048: KeyObject;
beforeAll(async () => {
  [ec, rsa2048] = await Promise.all([
    keyFor({ type: 'ec', curve: 'P-256' }),
    keyFor({ type: 'rsa', bits: 2048 }),
  ]);
});

function request(spec: Partial<CsrSpec> = {}): ParsedCsr {
  return parseCsr(buildCsr({ key: ec, ...spec }));
}

function withNames(names: string[], spec: Partial<CsrSpec> = {}): ParsedCsr {
  return request({ san: names.map((value): SanSpec => ({ type: 'dns', value })), ...spec });
}

describe('a good request', () => {
  it('passes with its names, default validity and a preview', () => {
    const v = evaluate(
      withNames(['www.example.org', 'Example.org', 'www.example.org'], {
        subject: [
          ['O', 'Example'],
          ['CN', 'WWW.example.org'],
        ],
      }),
    );
    expect(v).toMatchObject({ ok: true, errors: [], warnings: [], validityDays: 397 });
    expect(v.names).toEqual(['www.example.org', 'example.org']);
    expect(v.summary).toMatchObject({
      subject: 'O=Example, CN=WWW.example.org',
      names: ['www.example.org', 'example.org'],
      keyType: 'ECDSA',
      keyBits: 256,
      curve: 'P-256',
      signatureAlgorithm: 'ecdsa-with-SHA256',
    });
  });

  it('is deterministic', () => {
    const csr = withNames(['b.example.net', 'a.internal', '*.co.uk'], { signature: 'sha1' });
    expect(evaluate(csr)).toEqual(evaluate(csr));
  });

  it('collects every finding rather than stopping at the first, in a fixed order', () => {
    const csr = parseCsr(
      buildCsr({
        key: rsa2048,
        signature: 'sha1',
        subject: [['CN', 'nothere.example.org']],
        san: [
          { type: 'dns', value: 'a.internal' },
          { type: 'email', value: 'x@example.org' },
          { type: 'ip', value: '10.1.2.3' },
        ],
      }),
    );
    const v = evaluate(csr, {
      requestedValidityDays: 500,
      keyHistory: { ...CLEAN_HISTORY, usedInSameOrganisation: true },
    });
    expect(codes(v)).toEqual([
      'SIG_ALG_NOT_ALLOWED',
      'SAN_TYPE_NOT_ALLOWED',
      'CN_NOT_IN_SAN',
      'NAME_INTERNAL',
      'IP_RESERVED',
      'VALIDITY_TOO_LONG',
    ]);
    expect(v.warnings.map((w) => w.code)).toEqual(['KEY_REUSED']);
  });
});

describe('signature and proof of possession', () => {
  it.each([
    ['sha1', 'sha1WithRSAEncryption'],
    ['md5', 'md5WithRSAEncryption'],
    ['sha224', 'sha224WithRSAEncryption'],
    ['pss-sha256', 'RSASSA-PSS'],
  ] as const)('refuses RSA signed with %s, naming %s', (signature, algorithm) => {
    const v = evaluate(
      request({ key: rsa2048, signature, san: [{ type: 'dns', value: 'a.example.org' }] }),
    );
    expect(v.errors).toEqual([
      { code: 'SIG_ALG_NOT_ALLOWED', field: 'csr', params: { algorithm } },
    ]);
  });

  it.each(['sha256', 'sha384', 'sha512'] as const)('accepts RSA and ECDSA with %s', (signature) => {
    for (const key of [rsa2048, ec]) {
      expect(
        evaluate(request({ key, signature, san: [{ type: 'dns', value: 'a.example.org' }] })).ok,
      ).toBe(true);
    }
  });

  it('refuses ecdsa-with-SHA1', () => {
    const v = evaluate(
      request({ signature: 'sha1', san: [{ type: 'dns', value: 'a.example.org' }] }),
    );
    expect(v.errors[0]?.params).toEqual({ algorithm: 'ecdsa-with-SHA1' });
  });

  it('refuses a signature that does not verify', () => {
    const v = evaluate(request({ tamper: true, san: [{ type: 'dns', value: 'a.example.org' }] }));
    expect(codes(v)).toEqual(['SIGNATURE_INVALID']);
  });
});

describe('keys', () => {
  const san: SanSpec[] = [{ type: 'dns', value: 'a.example.org' }];

  async function rsaVerdict(
    bits: number,
    overrides: Partial<PolicyContext> = {},
    exponent?: number,
  ) {
    const key = await keyFor({ type: 'rsa', bits, ...(exponent ? { exponent } : {}) });
    return evaluate(request({ key, san }), overrides);
  }

  it.each([
    [2048, []],
    [3072, []],
    [4096, []],
    [1024, ['KEY_TOO_SMALL']],
    [2040, ['KEY_TOO_SMALL']],
    [2047, ['KEY_TOO_SMALL', 'KEY_SIZE_NOT_MULTIPLE_OF_8']],
    [2052, ['KEY_SIZE_NOT_MULTIPLE_OF_8']],
  ])('TLS, RSA %i bits: %p', async (bits, expected) => {
    const v = await rsaVerdict(bits);
    // OpenSSL may make an odd size one bit short: the finding names the real size
    expect(codes(v)).toEqual(expected);
  });

  it('names the exact size and the minimum', async () => {
    const v = await rsaVerdict(1024);
    expect(v.errors[0]).toEqual({
      code: 'KEY_TOO_SMALL',
      field: 'csr',
      params: { bits: 1024, min: 2048 },
    });
  });

  it.each([
    [2048, ['KEY_TOO_SMALL']],
    [3072, []],
    [4096, []],
  ])('code signing, RSA %i bits: %p', async (bits, expected) => {
    const v = await rsaVerdict(bits, {
      product: CODE_SIGNING,
      codeSigning: { hardwareMethod: 'ca-token', evidenceRequired: false, hasEvidence: false },
    });
    expect(codes(v)).toEqual(expected);
  });

  it('warns about an exponent other than 65537 and refuses an even or tiny one', async () => {
    const v = await rsaVerdict(2048, {}, 3);
    expect(v.ok).toBe(true);
    expect(v.warnings).toEqual([
      { code: 'KEY_EXPONENT_NOT_65537', field: 'csr', params: { exponent: '3' } },
    ]);
    const n = modulusOf(parseCsr(buildCsr({ key: rsa2048 })));
    for (const e of [1n, 2n, 65536n]) {
      const spki = seq(seq(oid('1.2.840.113549.1.1.1'), nul()), bitString(seq(int(n), int(e))));
      const bad = evaluate(request({ key: rsa2048, spki, san }));
      expect(codes(bad)).toContain('KEY_EXPONENT_INVALID');
      expect(codes(bad)).toContain('SIGNATURE_INVALID');
    }
  });

  it('refuses an RSA AlgorithmIdentifier without its NULL parameters', () => {
    const n = modulusOf(parseCsr(buildCsr({ key: rsa2048 })));
    const spki = seq(seq(oid('1.2.840.113549.1.1.1')), bitString(seq(int(n), int(65537))));
    const v = evaluate(request({ key: rsa2048, spki, san }));
    expect(v.errors).toEqual([
      { code: 'KEY_ENCODING_INVALID', field: 'csr', params: { algorithm: 'RSA' } },
    ]);
  });

  it('refuses an unreadable RSA key and a huge one without doing arithmetic on it', () => {
    const garbage = seq(seq(oid('1.2.840.113549.1.1.1'), nul()), bitString(Uint8Array.of(1, 2, 3)));
    expect(codes(evaluate(request({ spki: garbage, san })))).toEqual([
      'SIGNATURE_INVALID',
      'KEY_MALFORMED',
    ]);
    const huge = seq(
      seq(oid('1.2.840.113549.1.1.1'), nul()),
      bitString(seq(int((1n << 20000n) - 1n), int(65537))),
    );
    const v = evaluate(request({ spki: huge, san }));
    expect(v.errors[1]).toEqual({
      code: 'KEY_TOO_LARGE',
      field: 'csr',
      params: { bits: 20000, max: 16384 },
    });
  });

  it.each([
    [{ type: 'ec', curve: 'P-384' } as const, []],
    [{ type: 'ec', curve: 'P-521' } as const, []],
    [{ type: 'ec', curve: 'secp256k1' } as const, ['KEY_CURVE_NOT_ALLOWED']],
    [{ type: 'ec', curve: 'brainpoolP256r1' } as const, ['KEY_CURVE_NOT_ALLOWED']],
    [{ type: 'ed25519' } as const, ['SIG_ALG_NOT_ALLOWED', 'KEY_ALGORITHM_NOT_ALLOWED']],
    [{ type: 'ed448' } as const, ['SIG_ALG_NOT_ALLOWED', 'KEY_ALGORITHM_NOT_ALLOWED']],
    [{ type: 'dsa', bits: 2048 } as const, ['SIG_ALG_NOT_ALLOWED', 'KEY_ALGORITHM_NOT_ALLOWED']],
    [
      { type: 'rsa-pss', bits: 2048 } as const,
      ['SIG_ALG_NOT_ALLOWED', 'KEY_ALGORITHM_NOT_ALLOWED'],
    ],
  ])('key %j: %p', async (spec, expected) => {
    const key = await keyFor(spec);
    const signature = spec.type === 'rsa-pss' ? 'pss-sha256' : undefined;
    const v = evaluate(request({ key, san, ...(signature ? { signature } : {}) }));
    expect(codes(v)).toEqual(expected);
  });

  it('names the refused algorithm and curve', async () => {
    const ed = evaluate(request({ key: await keyFor({ type: 'ed25519' }), san }));
    expect(ed.errors.map((e) => e.params)).toEqual([
      { algorithm: 'Ed25519' },
      { algorithm: 'Ed25519' },
    ]);
    const k1 = evaluate(request({ key: await keyFor({ type: 'ec', curve: 'secp256k1' }), san }));
    expect(k1.errors[0]?.params).toEqual({ curve: 'secp256k1' });
  });

  it('refuses an EC key without a named curve and a point that is not on the curve', () => {
    const spki = new Uint8Array(createPublicKey(ec).export({ type: 'spki', format: 'der' }));
    const point = spki.subarray(spki.length - 65);
    const noCurve = seq(seq(oid('1.2.840.10045.2.1')), bitString(point));
    expect(codes(evaluate(request({ spki: noCurve, san })))).toEqual([
      'SIGNATURE_INVALID',
      'KEY_ENCODING_INVALID',
    ]);
    const offCurve = Uint8Array.from(spki);
    offCurve[offCurve.length - 1] ^= 1;
    expect(codes(evaluate(request({ spki: offCurve, san })))).toEqual([
      'SIGNATURE_INVALID',
      'KEY_MALFORMED',
    ]);
  });

  it('refuses compromised keys and keys of another organisation, warns on reuse', () => {
    const csr = request({ san });
    const v = evaluate(csr, {
      keyHistory: {
        compromised: true,
        usedByOtherOrganisation: true,
        usedInSameOrganisation: true,
      },
    });
    expect(codes(v)).toEqual(['KEY_COMPROMISED', 'KEY_USED_BY_OTHER_ORGANISATION']);
    expect(v.warnings.map((w) => w.code)).toEqual(['KEY_REUSED']);
  });
});

describe('weak RSA keys', () => {
  const san: SanSpec[] = [{ type: 'dns', value: 'weak.example.org' }];

  // a 2048-bit modulus, so that the weak-key finding is the only one
  function key2048(primes: () => [bigint, bigint]): KeyObject {
    for (let attempt = 0; attempt < 50; attempt++) {
      const [p, q] = primes();
      if ((p * q).toString(2).length === 2048) {
        return rsaKeyFromPrimes(p, q);
      }
    }
    throw new Error('no 2048-bit modulus in 50 attempts');
  }

  it('refuses close primes (Fermat)', () => {
    const key = key2048(() => closePrimes(1024));
    const v = evaluate(request({ key, san }));
    expect(v.errors).toEqual([{ code: 'KEY_CLOSE_PRIMES', field: 'csr', params: {} }]);
  });

  it('refuses ROCA-structured primes', () => {
    const M = ROCA_PRIMES.reduce((acc, p) => acc * BigInt(p), 1n);
    const key = key2048(() => [rocaPrime(1024, M), rocaPrime(1024, M)]);
    const csr = request({ key, san });
    expect(csr.signatureValid).toBe(true);
    expect(codes(evaluate(csr))).toEqual(['KEY_ROCA']);
  });

  it('refuses a modulus with a small factor', () => {
    const key = key2048(() => [743n, randomPrime(2038)]);
    const csr = request({ key, san });
    expect(csr.publicKey.kind === 'rsa' && csr.publicKey.modulusBits % 8).toBe(0);
    expect(evaluate(csr).errors).toEqual([
      { code: 'KEY_SMALL_FACTOR', field: 'csr', params: { factor: 743 } },
    ]);
  });

  it('refuses Debian weak keys through the injected lookup', () => {
    const list = DebianBlocklist.load(
      join(PROJECT_ROOT, 'test/fixtures/csr/debian-blocklist-sample.txt'),
    );
    const csr = parseCsr(
      readFileSync(join(PROJECT_ROOT, 'test/fixtures/csr/debian-sample-1.csr.pem'), 'utf8'),
    );
    const v = evaluate(csr, { debianWeak: (hex) => list.isWeak(hex) });
    expect(codes(v)).toEqual(['KEY_DEBIAN_WEAK']);
    expect(
      codes(evaluate(request({ key: rsa2048, san }), { debianWeak: (hex) => list.isWeak(hex) })),
    ).toEqual([]);
  });
});

describe('subject and SAN', () => {
  it('uses the CN of a CN-only request as its name', () => {
    const v = evaluate(request({ subject: [['CN', 'WWW.Example.org']] }));
    expect(v.ok).toBe(true);
    expect(v.names).toEqual(['www.example.org']);
  });

  it('uses an IP address CN of a CN-only request as an IP name', () => {
    const v = evaluate(request({ subject: [['CN', '93.184.216.34']] }));
    expect(v).toMatchObject({ ok: true, names: ['93.184.216.34'] });
  });

  it('refuses a CN that is not among the names, and accepts one that the extra names add', () => {
    const csr = withNames(['a.example.org'], { subject: [['CN', 'b.example.org']] });
    expect(evaluate(csr).errors).toEqual([
      { code: 'CN_NOT_IN_SAN', field: 'csr', params: { cn: 'b.example.org' } },
    ]);
    expect(evaluate(csr, { extraNames: ['B.example.org'] }).ok).toBe(true);
  });

  it('refuses several CNs', () => {
    const csr = withNames(['a.example.org', 'b.example.org'], {
      subject: [
        ['CN', 'a.example.org'],
        ['CN', 'b.example.org'],
      ],
    });
    expect(evaluate(csr).errors).toEqual([
      { code: 'CN_MULTIPLE', field: 'csr', params: { count: 2 } },
    ]);
  });

  it('refuses SAN types other than dNSName and iPAddress', () => {
    const csr = request({
      san: [
        { type: 'dns', value: 'a.example.org' },
        { type: 'email', value: 'a@example.org' },
        { type: 'uri', value: 'https://a.example.org/' },
        { type: 'otherName', oid: '1.3.6.1.4.1.311.20.2.3' },
      ],
    });
    expect(evaluate(csr).errors.map((e) => e.params)).toEqual([
      { type: 'email', value: 'a@example.org' },
      { type: 'uri', value: 'https://a.example.org/' },
      { type: 'other', value: 'otherName:1.3.6.1.4.1.311.20.2.3' },
    ]);
  });

  it('refuses a malformed iPAddress and a request without any name', () => {
    expect(
      codes(evaluate(request({ san: [{ type: 'ip', value: Uint8Array.of(1, 2, 3) }] }))),
    ).toEqual(['IP_MALFORMED', 'NO_NAMES']);
    expect(evaluate(request()).errors).toEqual([{ code: 'NO_NAMES', field: 'names', params: {} }]);
  });

  it('counts names after removing duplicates', () => {
    const five = ['a', 'b', 'c', 'd', 'e'].map((l) => `${l}.example.org`);
    expect(evaluate(withNames([...five, 'A.example.org'])).ok).toBe(true);
    const v = evaluate(withNames(five), { extraNames: ['f.example.org', ' e.example.org '] });
    expect(v.names).toHaveLength(6);
    expect(v.errors).toEqual([
      { code: 'TOO_MANY_NAMES', field: 'names', params: { count: 6, max: 5 } },
    ]);
  });
});

describe('names', () => {
  const run = (name: string, overrides: Partial<PolicyContext> = {}) =>
    evaluate(withNames([name]), overrides);

  it.each([
    ['www.example.org', []],
    ['example.org', []],
    ['deep.sub.example.org', []],
    ['xn--bcher-kva.example.org', []],
    ['a-b.example.org', []],
    ['www.example.co.uk', []],
    ['forever.example.org', []],
    ['www.example.org.', ['NAME_TRAILING_DOT']],
    ['bücher.example.org', ['NAME_NOT_ASCII']],
    ['under_score.example.org', ['NAME_INVALID_LABEL']],
    ['-lead.example.org', ['NAME_INVALID_LABEL']],
    ['trail-.example.org', ['NAME_INVALID_LABEL']],
    ['a..example.org', ['NAME_INVALID_LABEL']],
    ['sp ace.example.org', ['NAME_INVALID_LABEL']],
    ['ab--cd.example.org', ['NAME_RESERVED_LABEL']],
    ['xn--a.example.org', ['NAME_INVALID_PUNYCODE']],
    ['xn--abc.example.org', ['NAME_INVALID_PUNYCODE']],
    ['xn--tda.example.org', []],
    ['xn--ls8h.example.org', ['NAME_INVALID_PUNYCODE']],
    [`${'a'.repeat(64)}.example.org`, ['NAME_LABEL_TOO_LONG']],
    [`${'a'.repeat(63)}.example.org`, []],
    [`${'abcdefghi.'.repeat(24)}ab.example.org`, ['NAME_TOO_LONG']],
    [`${'abcdefghi.'.repeat(23)}abcdefghijk.example.org`, []],
    ['93.184.216.34', []],
    ['server.internal', ['NAME_INTERNAL']],
    ['intranet', ['NAME_INTERNAL']],
    ['host.local', ['NAME_INTERNAL']],
    ['printer.home.arpa', ['NAME_INTERNAL']],
    ['hidden.onion', ['NAME_INTERNAL']],
    ['co.uk', ['NAME_IS_PUBLIC_SUFFIX']],
    ['org', ['NAME_IS_PUBLIC_SUFFIX']],
    ['34.216.184.93.in-addr.arpa', ['NAME_REVERSE_DNS']],
    ['1.0.ip6.arpa', ['NAME_REVERSE_DNS']],
    ['www.example.net', ['DOMAIN_NOT_FOUND']],
    ['notexample.org', ['DOMAIN_NOT_FOUND']],
    ['www.shop.example.org', ['DOMAIN_NOT_VALIDATED']],
    ['old.example.org', ['DOMAIN_VALIDATION_EXPIRED']],
    ['edge.example.org', ['DOMAIN_VALIDATION_EXPIRED']],
    ['x.other-dept.example.org', ['DOMAIN_NOT_DELEGATED']],
  ])('%s: %p', (name, expected) => {
    // a dNSName that is an IP address literal is refused; as a CN it would become an IP
    const want = name === '93.184.216.34' ? ['NAME_IP_AS_DNS'] : expected;
    expect(codes(run(name))).toEqual(want);
  });

  it('finds the longest matching domain on label boundaries and names it', () => {
    expect(run('a.shop.example.org').errors[0]).toEqual({
      code: 'DOMAIN_NOT_VALIDATED',
      field: 'names',
      name: 'a.shop.example.org',
      params: { name: 'a.shop.example.org', domain: 'shop.example.org' },
    });
    expect(run('old.example.org').errors[0]?.params).toEqual({
      name: 'old.example.org',
      domain: 'old.example.org',
      expiredOn: '2026-01-01',
    });
  });

  it('accepts a validation that expires one millisecond after now', () => {
    const v = run('edge.example.org', { now: new Date(NOW.getTime() - 1) });
    expect(v.ok).toBe(true);
  });

  it('reports every problem of a domain', () => {
    const domains = [domain('example.org', { validated: false, delegatedToDepartment: false })];
    expect(codes(run('www.example.org', { domains }))).toEqual([
      'DOMAIN_NOT_VALIDATED',
      'DOMAIN_NOT_DELEGATED',
    ]);
  });

  it.each([
    ['*.example.org', []],
    ['*.sub.example.org', []],
    ['*.example.co.uk', []],
    ['*.*.example.org', ['WILDCARD_INVALID']],
    ['w*.example.org', ['WILDCARD_INVALID']],
    ['www.*.example.org', ['WILDCARD_INVALID']],
    ['*', ['WILDCARD_INVALID']],
    ['*.co.uk', ['WILDCARD_ON_PUBLIC_SUFFIX']],
    ['*.org', ['WILDCARD_ON_PUBLIC_SUFFIX']],
    ['*.nowild.example.org', ['WILDCARD_NOT_ALLOWED_FOR_DOMAIN']],
    ['*.internal', ['NAME_INTERNAL']],
  ])('wildcard %s: %p', (name, expected) => {
    expect(codes(run(name))).toEqual(expected);
  });

  it('refuses wildcards when the product does not allow them', () => {
    const v = run('*.example.org', { product: { ...TLS, wildcardsAllowed: false } });
    expect(v.errors).toEqual([
      {
        code: 'WILDCARD_NOT_ALLOWED_BY_PRODUCT',
        field: 'names',
        name: '*.example.org',
        params: { name: '*.example.org', product: 'ov-multi' },
      },
    ]);
  });

  it.each([
    ['93.184.216.34', []],
    ['2606:2800:220:1:248:1893:25c8:1946', []],
    ['8.8.8.8', ['DOMAIN_NOT_FOUND']],
    ['10.1.2.3', ['IP_RESERVED']],
    ['192.168.1.1', ['IP_RESERVED']],
    ['100.64.1.1', ['IP_RESERVED']],
    ['192.0.2.1', ['IP_RESERVED']],
    ['::1', ['IP_RESERVED']],
    ['fd00::1', ['IP_RESERVED']],
    ['fe80::1', ['IP_RESERVED']],
    ['2001:db8::1', ['IP_RESERVED']],
  ])('IP address %s: %p', (ip, expected) => {
    const v = evaluate(request({ san: [{ type: 'ip', value: ip }] }));
    expect(codes(v)).toEqual(expected);
  });

  it('names the reserved range', () => {
    const v = evaluate(request({ san: [{ type: 'ip', value: '172.20.0.1' }] }));
    expect(v.errors[0]?.params).toEqual({ name: '172.20.0.1', range: '172.16.0.0/12' });
  });

  it('checks the extra names the same way, reporting them on their own field', () => {
    const v = evaluate(withNames(['a.example.org']), {
      extraNames: ['B.Example.org', '', 'c.internal', '::1', 'a.example.org'],
    });
    expect(v.names).toEqual(['a.example.org', 'b.example.org', 'c.internal', '::1']);
    expect(v.errors.map((e) => [e.code, e.field, e.name])).toEqual([
      ['NAME_INTERNAL', 'extraNames', 'c.internal'],
      ['IP_RESERVED', 'extraNames', '::1'],
    ]);
  });
});

describe('code signing', () => {
  const ctx = (codeSigning?: PolicyContext['codeSigning']): Partial<PolicyContext> => ({
    product: CODE_SIGNING,
    codeSigning,
  });

  it('accepts a 3072-bit key with a recorded hardware method', async () => {
    const csr = request({
      key: await keyFor({ type: 'rsa', bits: 3072 }),
      subject: [['CN', 'Example']],
    });
    const v = evaluate(
      csr,
      ctx({ hardwareMethod: 'key-attestation', evidenceRequired: true, hasEvidence: true }),
    );
    expect(v).toMatchObject({ ok: true, names: [], validityDays: 1185 });
  });

  it('requires the hardware method and, when policy says so, the evidence', () => {
    const csr = request({ key: ec });
    expect(codes(evaluate(csr, ctx()))).toEqual(['CODE_SIGNING_METHOD_MISSING']);
    expect(
      evaluate(csr, ctx({ hardwareMethod: 'audit', evidenceRequired: true, hasEvidence: false }))
        .errors,
    ).toEqual([
      { code: 'CODE_SIGNING_EVIDENCE_MISSING', field: 'codeSigning', params: { method: 'audit' } },
    ]);
  });

  it('ignores the request SANs with a warning and refuses extra names', () => {
    const csr = withNames(['a.example.org']);
    const v = evaluate(csr, {
      ...ctx({ hardwareMethod: 'ca-token', evidenceRequired: false, hasEvidence: false }),
      extraNames: ['b.example.org'],
    });
    expect(v.warnings.map((w) => w.code)).toEqual(['CODE_SIGNING_SAN_IGNORED']);
    expect(v.errors).toEqual([
      {
        code: 'NAMES_NOT_ALLOWED_FOR_PRODUCT',
        field: 'extraNames',
        params: { product: 'code-signing' },
      },
    ]);
  });

  it('applies the code-signing validity limit from 2026-03-01', () => {
    const csr = request({ key: ec });
    const v = evaluate(csr, {
      ...ctx({ hardwareMethod: 'ca-token', evidenceRequired: false, hasEvidence: false }),
      now: new Date('2026-03-01T00:00:00Z'),
      requestedValidityDays: 461,
    });
    expect(v.errors).toEqual([
      { code: 'VALIDITY_TOO_LONG', field: 'validity', params: { requested: 461, max: 460 } },
    ]);
  });
});

describe('validity in the verdict', () => {
  it.each([
    ['2026-03-14T23:59:59Z', undefined, 397, []],
    ['2026-03-15T00:00:00Z', undefined, 199, []],
    ['2026-03-15T00:00:00Z', 200, 200, []],
    ['2026-03-15T00:00:00Z', 201, 200, ['VALIDITY_TOO_LONG']],
    ['2027-03-15T00:00:00Z', undefined, 99, []],
    ['2029-03-15T00:00:00Z', undefined, 46, []],
    ['2029-03-15T00:00:00Z', 0, 46, ['VALIDITY_NOT_POSITIVE']],
    ['2029-03-15T00:00:00Z', 1.5, 46, ['VALIDITY_NOT_WHOLE_DAYS']],
  ])('on %s, requested %p: %i days, %p', (now, requested, days, expected) => {
    const v = evaluate(withNames(['forever.example.org']), {
      now: new Date(now),
      ...(requested === undefined ? {} : { requestedValidityDays: requested }),
    });
    expect(v.validityDays).toBe(days);
    expect(codes(v)).toEqual(expected);
  });
});

describe('coverage', () => {
  it('produced every finding code in these tests, with every placeholder its message uses', () => {
    const en = JSON.parse(readFileSync(join(PROJECT_ROOT, 'i18n/en/csr.json'), 'utf8')) as {
      findings: Record<string, string>;
    };
    const seen = new Set(emitted.map((f) => f.code));
    expect(FINDING_CODES.filter((c) => !seen.has(c))).toEqual([]);
    for (const f of emitted) {
      const placeholders = [...en.findings[f.code].matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect({ code: f.code, missing: placeholders.filter((p) => !(p in f.params)) }).toEqual({
        code: f.code,
        missing: [],
      });
    }
  });
});

function modulusOf(csr: ParsedCsr): bigint {
  if (csr.publicKey.kind !== 'rsa') {
    throw new Error('not RSA');
  }
  return csr.publicKey.modulus;
}
