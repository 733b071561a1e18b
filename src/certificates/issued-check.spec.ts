import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import {
  createTestPki,
  EKU_CLIENT_AUTH,
  EKU_CODE_SIGNING,
  EKU_SERVER_AUTH,
  generateKeys,
  spkiSha256,
  type CryptoKeyPair,
  type TestPki,
} from '../../test/support/test-pki.js';
import { loadCatalogue } from '../i18n/i18n.service.js';
import { LANGUAGES } from '../i18n/languages.js';
import {
  checkIssued,
  ISSUED_CHECK_CODES,
  validityDaysOf,
  type IssuedCheckInput,
} from './issued-check.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const NAMES = ['www.uni.example.org', 'uni.example.org'];

describe('checkIssued', () => {
  let pki: TestPki;
  let keys: CryptoKeyPair;
  let spki: string;

  beforeAll(async () => {
    pki = await createTestPki();
    keys = await generateKeys();
    spki = await spkiSha256(keys.publicKey);
  });

  const input = (leafDer: Uint8Array, over: Partial<IssuedCheckInput> = {}): IssuedCheckInput => ({
    leafDer,
    chainDer: [pki.intermediate.der],
    request: { spkiSha256: spki, names: NAMES, kind: 'tls', validityDays: 199 },
    trustedRoots: [pki.root.der],
    now: NOW,
    ...over,
  });
  const codes = (i: IssuedCheckInput) => checkIssued(i).findings.map((f) => f.code);
  const issue = (over: Partial<Parameters<TestPki['issue']>[0]> = {}) =>
    pki.issue({ publicKey: keys.publicKey, names: NAMES, notBefore: NOW, days: 199, ...over });

  it('accepts a certificate that answers the request exactly', async () => {
    expect(checkIssued(input(await issue()))).toEqual({ ok: true, findings: [] });
  });

  it('accepts the chain with the root included, and clientAuth beside serverAuth', async () => {
    const der = await issue({ eku: [EKU_SERVER_AUTH, EKU_CLIENT_AUTH] });
    expect(codes(input(der, { chainDer: [pki.intermediate.der, pki.root.der] }))).toEqual([]);
  });

  it('refuses a certificate for another key', async () => {
    const other = await generateKeys();
    expect(codes(input(await issue({ publicKey: other.publicKey })))).toEqual(['KEY_MISMATCH']);
  });

  it('names a name the RAO did not approve', async () => {
    const der = await issue({ names: [...NAMES, 'evil.example.net'] });
    expect(checkIssued(input(der)).findings).toEqual([
      { code: 'NAME_EXTRA', params: { name: 'evil.example.net' } },
    ]);
  });

  it('names an approved name the certificate lacks', async () => {
    const der = await issue({ names: ['www.uni.example.org'] });
    expect(checkIssued(input(der)).findings).toEqual([
      { code: 'NAME_MISSING', params: { name: 'uni.example.org' } },
    ]);
  });

  it('compares IP addresses as addresses, however they are written', async () => {
    const der = await issue({ names: ['www.uni.example.org', '2001:0db8:0:0:0:0:0:1'], cn: null });
    const request = {
      spkiSha256: spki,
      names: ['www.uni.example.org', '2001:db8::1'],
      kind: 'tls' as const,
      validityDays: 199,
    };
    expect(codes(input(der, { request }))).toEqual([]);
  });

  it('refuses a CN that is not among the names', async () => {
    const der = await issue({ cn: 'other.example.org' });
    expect(checkIssued(input(der)).findings).toEqual([
      { code: 'NAME_EXTRA', params: { name: 'other.example.org' } },
    ]);
  });

  it('refuses the wrong extended key usage for the product', async () => {
    const der = await issue({ eku: [EKU_CODE_SIGNING] });
    expect(checkIssued(input(der)).findings).toEqual([
      { code: 'EKU_MISSING', params: { usage: 'serverAuth' } },
      { code: 'EKU_FORBIDDEN', params: { usage: 'codeSigning' } },
    ]);
  });

  it('accepts code signing only with codeSigning', async () => {
    const request = {
      spkiSha256: spki,
      names: [],
      kind: 'code-signing' as const,
      validityDays: 459,
    };
    const good = await issue({ names: [], cn: null, eku: [EKU_CODE_SIGNING], days: 459 });
    expect(codes(input(good, { request }))).toEqual([]);
    const tls = await issue({ names: [], cn: null, days: 459 });
    expect(codes(input(tls, { request }))).toEqual(['EKU_MISSING', 'EKU_FORBIDDEN']);
  });

  it('refuses a key that may sign certificates, and a leaf that is a CA', async () => {
    const der = await issue({
      ca: true,
      keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign,
    });
    expect(checkIssued(input(der)).findings).toEqual([
      { code: 'LEAF_IS_CA', params: {} },
      { code: 'KEY_USAGE_FORBIDDEN', params: { usage: 'keyCertSign' } },
    ]);
  });

  it('refuses an EC key without digitalSignature', async () => {
    const der = await issue({ keyUsage: x509.KeyUsageFlags.keyAgreement });
    expect(codes(input(der))).toEqual(['KEY_USAGE_REQUIRED']);
  });

  it('refuses a validity longer than requested, counted as BR 6.3.2 counts', async () => {
    // Exactly 199 days inclusive passes; one second more is a 200th day.
    const exact = await issue({ lifetimeMs: 199 * 86_400_000 - 1000 });
    expect(codes(input(exact))).toEqual([]);
    const longer = await issue({ lifetimeMs: 199 * 86_400_000 });
    expect(checkIssued(input(longer)).findings).toEqual([
      { code: 'VALIDITY_TOO_LONG', params: { days: 200, requested: 199 } },
    ]);
  });

  it('refuses more than the rules allow on the day of issuance, whatever was asked', async () => {
    const der = await issue({ days: 250 });
    expect(
      checkIssued(
        input(der, { request: { spkiSha256: spki, names: NAMES, kind: 'tls', validityDays: 300 } }),
      ).findings,
    ).toEqual([{ code: 'VALIDITY_OVER_LIMIT', params: { days: 250, max: 200 } }]);
  });

  it('refuses a certificate already expired or not yet valid', async () => {
    const old = await issue({ notBefore: new Date('2025-01-01T00:00:00Z'), days: 30 });
    expect(
      codes(
        input(old, { request: { spkiSha256: spki, names: NAMES, kind: 'tls', validityDays: 30 } }),
      ),
    ).toEqual(['CERT_EXPIRED']);
    const future = await issue({ notBefore: new Date('2026-06-02T12:00:00Z') });
    expect(codes(input(future))).toEqual(['CERT_NOT_YET_VALID']);
  });

  it('refuses a chain without the intermediate', async () => {
    expect(codes(input(await issue(), { chainDer: [] }))).toEqual(['CHAIN_INCOMPLETE']);
  });

  it('refuses a chain that does not reach a root we trust', async () => {
    const otherRoot = await pki.makeAuthority('CN=Other Root');
    const der = await issue();
    expect(codes(input(der, { trustedRoots: [otherRoot.der] }))).toEqual(['CHAIN_INCOMPLETE']);
    const withRoot = {
      chainDer: [pki.intermediate.der, pki.root.der],
      trustedRoots: [otherRoot.der],
    };
    expect(codes(input(der, withRoot))).toEqual(['CHAIN_UNTRUSTED']);
    const rogue = await pki.makeAuthority('CN=Rogue Issuing CA');
    expect(codes(input(await issue({ issuer: rogue }), { chainDer: [rogue.der] }))).toEqual([
      'CHAIN_UNTRUSTED',
    ]);
  });

  it('refuses a leaf whose signature does not verify under the intermediate', async () => {
    // An impostor with the intermediate's name and key identifier but another key.
    const impostor = await pki.makeAuthority('CN=Test Issuing CA,O=RA Tests', pki.root);
    const der = await issue({ issuer: impostor });
    const genuineAki = await pki.issue({
      publicKey: keys.publicKey,
      names: NAMES,
      notBefore: NOW,
      days: 199,
      issuer: {
        ...impostor,
        keys: { ...impostor.keys, publicKey: pki.intermediate.keys.publicKey },
      },
    });
    expect(codes(input(genuineAki))).toEqual(['CHAIN_SIGNATURE_INVALID']);
    expect(codes(input(der, { chainDer: [impostor.der] }))).toEqual([]);
  });

  it('checks every signature, however many of the same issuer passed before', async () => {
    const genuine = await issue();
    expect(codes(input(genuine))).toEqual([]);
    // The same certificate with one bit of its signature flipped: same issuer, same chain.
    const forged = Uint8Array.from(genuine);
    forged[forged.length - 1] ^= 0x01;
    expect(codes(input(forged))).toEqual(['CHAIN_SIGNATURE_INVALID']);
    expect(codes(input(genuine))).toEqual([]);
  });

  it('refuses an expired intermediate', async () => {
    const stale = await pki.makeAuthority(
      'CN=Stale CA',
      pki.root,
      new Date('2026-01-01T00:00:00Z'),
    );
    const der = await issue({ issuer: stale });
    expect(codes(input(der, { chainDer: [stale.der] }))).toEqual(['CHAIN_CERT_EXPIRED']);
  });

  it('says so when the certificate cannot be read', () => {
    expect(codes(input(new Uint8Array([0x30, 0x03, 1, 2, 3])))).toEqual(['CERT_UNREADABLE']);
  });

  it('counts days as BR 6.3.2 does', () => {
    const from = new Date('2026-06-01T00:00:00Z');
    expect(validityDaysOf(from, new Date('2026-06-01T23:59:59Z'))).toBe(1);
    expect(validityDaysOf(from, new Date('2026-06-02T00:00:00Z'))).toBe(2);
  });

  it('has a message for every code in every language', () => {
    const catalogue = loadCatalogue();
    for (const lang of LANGUAGES) {
      for (const code of ISSUED_CHECK_CODES) {
        expect([lang, code, catalogue.get(lang)?.has(`certificates.findings.${code}`)]).toEqual([
          lang,
          code,
          true,
        ]);
      }
    }
  });
});
