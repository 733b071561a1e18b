import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildCsr,
  int,
  keyFor,
  oid,
  sanExtension,
  seq,
  set,
  tlv,
  toPem,
  utf8,
} from '../../test/fixtures/csr/csr-builder.js';
import { MAX_CSR_BYTES, parseCsr, type ParsedCsr } from './csr-parser.js';
import { CsrParseError, PARSE_ERROR_CODES } from './csr.errors.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'csr-parser-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
}

function opensslCsr(name: string, keyArgs: string[], subject: string, san?: string): string {
  openssl([
    'req',
    '-new',
    ...keyArgs,
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-subj',
    subject,
    ...(san ? ['-addext', `subjectAltName=${san}`] : []),
    '-out',
    `${name}.csr`,
  ]);
  return readFileSync(join(dir, `${name}.csr`), 'utf8');
}

function parseError(input: string | Uint8Array): string {
  try {
    parseCsr(input);
  } catch (err) {
    expect(err).toBeInstanceOf(CsrParseError);
    return (err as CsrParseError).code;
  }
  throw new Error('parsed');
}

const seenParseCodes = new Set<string>();
function expectParseError(input: string | Uint8Array, code: string): void {
  expect(parseError(input)).toBe(code);
  seenParseCodes.add(code);
}

describe('parseCsr on requests made by openssl', () => {
  let pem: string;
  let csr: ParsedCsr;
  beforeAll(() => {
    pem = opensslCsr(
      'rsa',
      ['-newkey', 'rsa:2048'],
      '/C=NL/O=Example B.V./CN=www.example.org',
      'DNS:www.example.org,DNS:Example.org,IP:192.0.2.10,IP:2001:db8::1,email:a@example.org,URI:https://example.org/',
    );
    csr = parseCsr(pem);
  });

  it('extracts the subject, all CNs, and the typed SAN entries', () => {
    expect(csr.subject).toEqual([
      { oid: '2.5.4.6', type: 'C', value: 'NL' },
      { oid: '2.5.4.10', type: 'O', value: 'Example B.V.' },
      { oid: '2.5.4.3', type: 'CN', value: 'www.example.org' },
    ]);
    expect(csr.commonNames).toEqual(['www.example.org']);
    expect(csr.hasSanExtension).toBe(true);
    expect(csr.san.map(({ type, value }) => ({ type, value }))).toEqual([
      { type: 'dns', value: 'www.example.org' },
      { type: 'dns', value: 'Example.org' },
      { type: 'ip', value: '192.0.2.10' },
      { type: 'ip', value: '2001:db8::1' },
      { type: 'email', value: 'a@example.org' },
      { type: 'uri', value: 'https://example.org/' },
    ]);
  });

  it('extracts the RSA key exactly as openssl sees it', () => {
    const key = csr.publicKey;
    if (key.kind !== 'rsa') {
      throw new Error('expected RSA');
    }
    expect(key.modulusBits).toBe(2048);
    expect(key.exponent).toBe(65537n);
    const printed = openssl(['req', '-in', 'rsa.csr', '-noout', '-modulus']).trim();
    expect(printed).toBe(`Modulus=${key.modulus.toString(16).toUpperCase()}`);
    const spki = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'DER'], {
      input: openssl(['req', '-in', 'rsa.csr', '-noout', '-pubkey']),
    });
    expect(Buffer.from(key.spkiDer)).toEqual(spki);
    expect(key.spkiSha256).toBe(createHash('sha256').update(spki).digest('hex'));
    expect(Buffer.from(key.algorithmIdentifierDer).toString('hex')).toBe(
      '300d06092a864886f70d0101010500',
    );
  });

  it('hashes the DER, names the signature algorithm and verifies the signature', () => {
    const der = execFileSync('openssl', ['req', '-in', join(dir, 'rsa.csr'), '-outform', 'DER']);
    expect(Buffer.from(csr.der)).toEqual(der);
    expect(csr.sha256).toBe(createHash('sha256').update(der).digest('hex'));
    expect(csr.signatureAlgorithmName).toBe('sha256WithRSAEncryption');
    expect(csr.signatureAlgorithmOid).toBe('1.2.840.113549.1.1.11');
    expect(csr.publicKeyValid).toBe(true);
    expect(csr.signatureValid).toBe(true);
  });

  it('accepts the same request as DER, with CRLF, whitespace, text around and the NEW header', () => {
    const der = csr.der;
    const variants: (string | Uint8Array)[] = [
      der,
      Buffer.from(der),
      pem.replace(/\n/g, '\r\n'),
      `\n\n   ${pem}   \n\n`,
      `Here is my request:\n${pem}\nThanks`,
      pem.replace(/CERTIFICATE REQUEST/g, 'NEW CERTIFICATE REQUEST'),
      Buffer.from(pem, 'latin1'),
      toPem(der).replace(/\n/g, '\n  '),
    ];
    for (const input of variants) {
      expect(parseCsr(input).sha256).toBe(csr.sha256);
    }
  });

  it.each([
    ['P-256', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'P-256'],
    ['P-384', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'], 'P-384'],
    ['P-521', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-521'], 'P-521'],
    ['secp256k1', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp256k1'], 'secp256k1'],
    [
      'brainpoolP256r1',
      ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:brainpoolP256r1'],
      'brainpoolP256r1',
    ],
  ])('reads the curve of an EC key on %s', (name, args, curve) => {
    const parsed = parseCsr(opensslCsr(name, args, '/CN=ec.example.org'));
    expect(parsed.publicKey.kind).toBe('ec');
    expect(parsed.publicKey.kind === 'ec' && parsed.publicKey.curve).toBe(curve);
    expect(parsed.signatureValid).toBe(true);
  });

  it('never throws on a key with explicit curve parameters', () => {
    openssl([
      'ecparam',
      '-name',
      'prime256v1',
      '-param_enc',
      'explicit',
      '-genkey',
      '-noout',
      '-out',
      'explicit.key',
    ]);
    openssl(['req', '-new', '-key', 'explicit.key', '-subj', '/CN=x.example.org', '-out', 'x.csr']);
    const parsed = parseCsr(readFileSync(join(dir, 'x.csr'), 'utf8'));
    expect(parsed.publicKey).toMatchObject({ kind: 'ec', curve: null, malformed: true });
    expect(parsed.signatureValid).toBe(false);
  });
});

describe('parseCsr on requests made by @peculiar/x509 (WebCrypto)', () => {
  it('reads a P-256 request with SANs and a SHA-384 RSA request', async () => {
    const ecKeys = await webcrypto.subtle.generateKey(
      { name: 'ECDSA', namedCurve: 'P-256' },
      true,
      ['sign', 'verify'],
    );
    const ec = await x509.Pkcs10CertificateRequestGenerator.create({
      name: 'CN=app.example.org, O=Example',
      keys: ecKeys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'app.example.org' },
          { type: 'ip', value: '198.51.100.1' },
        ]),
      ],
    });
    const parsedEc = parseCsr(ec.toString('pem'));
    expect(parsedEc.commonNames).toEqual(['app.example.org']);
    expect(parsedEc.san.map((s) => s.value)).toEqual(['app.example.org', '198.51.100.1']);
    expect(parsedEc.publicKey).toMatchObject({ kind: 'ec', curve: 'P-256' });
    expect(parsedEc.signatureAlgorithmName).toBe('ecdsa-with-SHA256');
    expect(parsedEc.signatureValid).toBe(true);

    const alg = {
      name: 'RSASSA-PKCS1-v1_5',
      hash: 'SHA-384',
      publicExponent: new Uint8Array([1, 0, 1]),
      modulusLength: 2048,
    };
    const rsaKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
    const rsa = await x509.Pkcs10CertificateRequestGenerator.create({
      name: 'CN=rsa.example.org',
      keys: rsaKeys,
      signingAlgorithm: alg,
    });
    const parsedRsa = parseCsr(new Uint8Array(rsa.rawData));
    expect(parsedRsa.hasSanExtension).toBe(false);
    expect(parsedRsa.signatureAlgorithmName).toBe('sha384WithRSAEncryption');
    expect(parsedRsa.signatureValid).toBe(true);
  });
});

describe('exact RSA key sizes', () => {
  // @peculiar/x509 rounds the size to whole bytes; the policy needs the exact bit count
  // (OpenSSL may make an odd-sized key one bit shorter than asked: compare with the key)
  it.each([2047, 2049, 2052, 3071])(
    'a key generated with %i bits has its exact size',
    async (bits) => {
      const key = await keyFor({ type: 'rsa', bits });
      const parsed = parseCsr(buildCsr({ key, subject: [['CN', 'a.example.org']] }));
      const spki = createPublicKey({
        key: Buffer.from(parsed.publicKey.spkiDer),
        format: 'der',
        type: 'spki',
      });
      const exact = spki.asymmetricKeyDetails?.modulusLength;
      expect(parsed.publicKey.kind === 'rsa' && parsed.publicKey.modulusBits).toBe(exact);
      expect(exact).toBeGreaterThanOrEqual(bits - 1);
      expect(parsed.signatureValid).toBe(true);
    },
  );
});

describe('proof of possession', () => {
  let rsa: KeyObject;
  let ec: KeyObject;
  beforeAll(async () => {
    [rsa, ec] = await Promise.all([
      keyFor({ type: 'rsa', bits: 2048 }),
      keyFor({ type: 'ec', curve: 'P-256' }),
    ]);
  });

  // verify() reports the truth even for algorithms the policy refuses
  it.each([
    ['rsa', 'sha1', 'sha1WithRSAEncryption'],
    ['rsa', 'md5', 'md5WithRSAEncryption'],
    ['rsa', 'sha224', 'sha224WithRSAEncryption'],
    ['rsa', 'sha512', 'sha512WithRSAEncryption'],
    ['rsa', 'pss-sha256', 'RSASSA-PSS'],
    ['ec', 'sha1', 'ecdsa-with-SHA1'],
    ['ec', 'sha384', 'ecdsa-with-SHA384'],
  ] as const)('a %s request signed with %s verifies (%s)', (type, signature, name) => {
    const parsed = parseCsr(buildCsr({ key: type === 'rsa' ? rsa : ec, signature }));
    expect(parsed.signatureAlgorithmName).toBe(name);
    expect(parsed.signatureValid).toBe(true);
  });

  it.each([
    [{ type: 'ed25519' } as const, 'Ed25519'],
    [{ type: 'ed448' } as const, 'Ed448'],
    [{ type: 'dsa', bits: 2048 } as const, 'DSA'],
  ])('a %j key request parses and verifies', async (spec, algorithm) => {
    const parsed = parseCsr(buildCsr({ key: await keyFor(spec) }));
    expect(parsed.publicKey).toMatchObject({ kind: 'other', algorithmName: algorithm });
    expect(parsed.signatureValid).toBe(true);
  });

  it('fails a tampered signature, a signature by another key and a mismatched algorithm', () => {
    expect(parseCsr(buildCsr({ key: rsa, tamper: true })).signatureValid).toBe(false);
    const otherSpki = new Uint8Array(createPublicKey(ec).export({ type: 'spki', format: 'der' }));
    const ecSpki = parseCsr(buildCsr({ key: rsa, spki: otherSpki }));
    expect(ecSpki.signatureValid).toBe(false);
    const wrongOid = buildCsr({ key: rsa, signatureAlgorithm: seq(oid('1.2.840.10045.4.3.2')) });
    expect(parseCsr(wrongOid).signatureValid).toBe(false);
    const unknownOid = buildCsr({ key: rsa, signatureAlgorithm: seq(oid('1.2.3.4')) });
    expect(parseCsr(unknownOid)).toMatchObject({
      signatureValid: false,
      signatureAlgorithmName: '1.2.3.4',
    });
  });

  it('reads every kind of GeneralName', () => {
    const parsed = parseCsr(
      buildCsr({
        key: ec,
        san: [
          { type: 'otherName', oid: '1.3.6.1.4.1.311.20.2.3' },
          { type: 'registeredID', oid: '1.2.3.4' },
          { type: 'ip', value: Uint8Array.of(1, 2, 3) },
        ],
      }),
    );
    expect(parsed.san).toEqual([
      { type: 'other', value: 'otherName:1.3.6.1.4.1.311.20.2.3' },
      { type: 'other', value: 'registeredID:1.2.3.4' },
      { type: 'ip', value: 'invalid:010203', bytes: Uint8Array.of(1, 2, 3) },
    ]);
  });

  it('keeps several CNs and decodes BMP and UTF-8 strings', () => {
    const parsed = parseCsr(
      buildCsr({
        key: ec,
        subject: [
          ['CN', 'a.example.org'],
          ['CN', 'b.example.org'],
          ['O', 'Bücher AB'],
        ],
        attributes: [
          seq(oid('1.2.840.113549.1.9.7'), set(tlv(0x1e, Buffer.from('\0p\0w', 'latin1')))),
        ],
      }),
    );
    expect(parsed.commonNames).toEqual(['a.example.org', 'b.example.org']);
    expect(parsed.subject[2]).toEqual({ oid: '2.5.4.10', type: 'O', value: 'Bücher AB' });
  });

  describe('parse errors', () => {
    let good: Uint8Array;
    beforeAll(() => {
      good = buildCsr({
        key: ec,
        subject: [['CN', 'a.example.org']],
        san: [{ type: 'dns', value: 'a.example.org' }],
      });
    });

    it('refuses empty and oversized input before parsing', () => {
      expectParseError('', 'CSR_EMPTY');
      expectParseError('  \r\n ', 'CSR_EMPTY');
      expectParseError(new Uint8Array(0), 'CSR_EMPTY');
      expectParseError('A'.repeat(MAX_CSR_BYTES + 1), 'CSR_TOO_LARGE');
      expectParseError('é'.repeat(MAX_CSR_BYTES / 2 + 1), 'CSR_TOO_LARGE');
      expectParseError(new Uint8Array(MAX_CSR_BYTES + 1).fill(0x30), 'CSR_TOO_LARGE');
    });

    it('refuses what is not a request', () => {
      expectParseError('hello', 'CSR_NOT_PEM_OR_DER');
      expectParseError(Buffer.from(good).toString('base64'), 'CSR_NOT_PEM_OR_DER');
      expectParseError({} as unknown as string, 'CSR_NOT_PEM_OR_DER');
      expectParseError(toPem(good, 'CERTIFICATE'), 'CSR_WRONG_PEM_TYPE');
      expectParseError(toPem(good, 'PRIVATE KEY'), 'CSR_WRONG_PEM_TYPE');
    });

    it('refuses broken armour and two requests at once', () => {
      const pem = toPem(good);
      expectParseError(pem.replace(/-----END.*\n/, ''), 'CSR_BAD_PEM');
      expectParseError(pem.replace('M', 'M!'), 'CSR_BAD_PEM');
      expectParseError(pem.replace(/\n[A-Za-z0-9+/]{3}/, '\n'), 'CSR_BAD_PEM');
      expectParseError(
        '-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----',
        'CSR_BAD_PEM',
      );
      expectParseError(pem.replace('END CERTIFICATE REQUEST', 'END CERTIFICATE'), 'CSR_BAD_PEM');
      expectParseError(pem + pem, 'CSR_MULTIPLE');
    });

    it('refuses malformed DER with a code', () => {
      expectParseError(good.subarray(0, good.length - 1), 'CSR_MALFORMED');
      expectParseError(Buffer.concat([good, Uint8Array.of(0)]), 'CSR_MALFORMED');
      expectParseError(Uint8Array.of(0x30, 0x80, 0, 0), 'CSR_MALFORMED');
      expectParseError(Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff), 'CSR_MALFORMED');
      expectParseError(Uint8Array.of(0x30, 0x81, 0x05, 1, 2, 3, 4, 5), 'CSR_MALFORMED');
      expectParseError(Uint8Array.of(0x30, 0x00), 'CSR_MALFORMED');
      expectParseError(
        seq(seq(int(0), seq(), seq()), seq(oid('1.2.3')), tlv(3, Uint8Array.of(0))),
        'CSR_MALFORMED',
      );
    });

    it('refuses duplicate extensions and an unknown version', () => {
      const dup = buildCsr({
        key: ec,
        san: [{ type: 'dns', value: 'a.example.org' }],
        extensions: [sanExtension([{ type: 'dns', value: 'b.example.org' }])],
      });
      expectParseError(dup, 'CSR_MALFORMED');
      expectParseError(buildCsr({ key: ec, version: 1 }), 'CSR_VERSION_UNSUPPORTED');
      expect(
        parseCsr(
          buildCsr({
            key: ec,
            subject: [['CN', 'x']],
            attributes: [seq(oid('1.2.3'), set(utf8('x')))],
          }),
        ).commonNames,
      ).toEqual(['x']);
    });

    it('has a test for every parse error code', () => {
      expect([...seenParseCodes].sort()).toEqual([...PARSE_ERROR_CODES].sort());
    });
  });
});
