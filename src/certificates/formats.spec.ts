import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createTestPki, generateKeys, type TestPki } from '../../test/support/test-pki.js';
import {
  baseFileName,
  derFromPem,
  download,
  intermediatesOf,
  pkcs7CertsOnly,
  splitDer,
  toPem,
} from './formats.js';

const OPENSSL = ['/usr/bin/openssl', '/usr/local/bin/openssl'].find((p) => existsSync(p));
const withOpenssl = OPENSSL ? it : it.skip;

function openssl(args: string[], input: Buffer): string {
  return execFileSync(OPENSSL!, args, { input, encoding: 'utf8' });
}

describe('download formats', () => {
  let pki: TestPki;
  let leaf: Uint8Array;

  beforeAll(async () => {
    pki = await createTestPki();
    leaf = await pki.issue({
      publicKey: (await generateKeys()).publicKey,
      names: ['www.example.org', 'example.org'],
      notBefore: new Date('2026-06-01T00:00:00Z'),
    });
  });

  const fingerprints = (ders: Uint8Array[]) =>
    ders.map((d) => new X509Certificate(d).fingerprint256);

  it('splits concatenated DER certificates back into the originals', () => {
    const joined = Buffer.concat([pki.intermediate.der, pki.root.der]);
    expect(fingerprints(splitDer(joined))).toEqual(
      fingerprints([pki.intermediate.der, pki.root.der]),
    );
    expect(splitDer(new Uint8Array())).toEqual([]);
    expect(() => splitDer(Buffer.from([0x30, 0x05, 1]))).toThrow();
  });

  it('reads the certificates of a PEM bundle back in order', () => {
    const bundle = `issuer\n${toPem(pki.intermediate.der)}\n${toPem(pki.root.der)}`;
    expect(fingerprints(derFromPem(bundle))).toEqual(
      fingerprints([pki.intermediate.der, pki.root.der]),
    );
    expect(derFromPem('')).toEqual([]);
    expect(() =>
      derFromPem('-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----'),
    ).toThrow();
  });

  it('leaves the root out of the chain files', () => {
    expect(fingerprints(intermediatesOf([pki.intermediate.der, pki.root.der]))).toEqual(
      fingerprints([pki.intermediate.der]),
    );
  });

  it('writes PEM for the leaf, the intermediates and both', () => {
    const chain = [pki.intermediate.der, pki.root.der];
    const pem = download('pem', 'www.example.org', leaf, chain);
    expect(pem).toMatchObject({
      contentType: 'application/x-pem-file',
      fileName: 'www_example_org.pem',
    });
    expect(new X509Certificate(pem.body).fingerprint256).toBe(
      new X509Certificate(leaf).fingerprint256,
    );
    const full = download('fullchain', 'www.example.org', leaf, chain);
    expect(full.fileName).toBe('www_example_org.fullchain.pem');
    const blocks =
      full.body.toString().match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ??
      [];
    expect(fingerprints(blocks.map((b) => new Uint8Array(new X509Certificate(b).raw)))).toEqual(
      fingerprints([leaf, pki.intermediate.der]),
    );
    const only = download('chain', 'www.example.org', leaf, chain);
    expect(only.fileName).toBe('www_example_org.chain.pem');
    expect(only.body.toString().match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
  });

  it('writes a PKCS#7 bundle that @peculiar/x509 reads back in order', () => {
    const p7 = pkcs7CertsOnly([leaf, pki.intermediate.der]);
    const read = new x509.X509Certificates(p7);
    expect(read.map((c) => new X509Certificate(new Uint8Array(c.rawData)).fingerprint256)).toEqual(
      fingerprints([leaf, pki.intermediate.der]),
    );
  });

  withOpenssl('writes a PKCS#7 bundle and DER that openssl reads', () => {
    const p7b = download('p7b', '*.example.org', leaf, [pki.intermediate.der]);
    expect(p7b).toMatchObject({
      contentType: 'application/x-pkcs7-certificates',
      fileName: 'star_example_org.p7b',
    });
    const printed = openssl(['pkcs7', '-inform', 'DER', '-print_certs'], p7b.body);
    expect(printed.match(/subject=/g)).toHaveLength(2);
    expect(printed).toContain('CN = www.example.org');
    expect(printed).toContain('CN = Test Issuing CA');
    const der = download('der', 'www.example.org', leaf, []);
    expect(der).toMatchObject({
      contentType: 'application/pkix-cert',
      fileName: 'www_example_org.cer',
    });
    expect(
      openssl(['x509', '-inform', 'DER', '-noout', '-fingerprint', '-sha256'], der.body),
    ).toContain(new X509Certificate(leaf).fingerprint256);
  });

  it.each([
    ['www.example.org', 'www_example_org'],
    ['*.example.org', 'star_example_org'],
    ['192.0.2.1', '192_0_2_1'],
    ['2001:db8::1', '2001_db8_1'],
    ['"; rm -rf /', 'rm_-rf'],
    ['', 'certificate'],
  ])('names the file for %p as %p', (name, base) => {
    expect(baseFileName(name)).toBe(base);
  });
});
