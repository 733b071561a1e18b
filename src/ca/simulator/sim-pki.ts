import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { webcrypto } from 'node:crypto';
import { join } from 'node:path';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const crypto = webcrypto;
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const EC = { name: 'ECDSA', namedCurve: 'P-384' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-384' } as const;
const YEAR_MS = 365 * 86_400_000;

export interface SimIssuer {
  certificate: x509.X509Certificate;
  key: CryptoKey;
}

// The simulated CA's keys and certificates, kept in its folder: a root, the intermediate
// that signs orders, and the TLS certificate of its HTTPS server (issued by the root, so
// trusting root.pem is enough to talk to it).
export interface SimPki {
  root: SimIssuer;
  intermediate: SimIssuer;
  tlsCertPem: string;
  tlsKeyPem: string;
  rootFile: string;
}

function pemKey(pkcs8: ArrayBuffer): string {
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

async function importKey(pem: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(pem), EC, true, ['sign']);
}

async function generate(dir: string): Promise<void> {
  // Real time, not the app's clock: the TLS certificate is checked against real time, and
  // CA certificates reaching ten years back cover tests that stand on earlier dates.
  const notBefore = new Date(Date.now() - 10 * YEAR_MS);
  const rootKeys = await crypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'C=NL, O=TCS RA simulated CA (not publicly trusted), CN=TCS RA Simulated Root CA',
    notBefore,
    notAfter: new Date(notBefore.getTime() + 40 * YEAR_MS),
    signingAlgorithm: SIGN,
    keys: rootKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey, false),
    ],
  });
  const issue = async (
    subject: string,
    keys: CryptoKeyPair,
    years: number,
    extensions: x509.Extension[],
  ): Promise<x509.X509Certificate> =>
    x509.X509CertificateGenerator.create({
      serialNumber: Buffer.from(crypto.getRandomValues(new Uint8Array(16)))
        .toString('hex')
        .replace(/^[89a-f]/, '1'),
      subject,
      issuer: root.subject,
      notBefore,
      notAfter: new Date(notBefore.getTime() + years * YEAR_MS),
      signingAlgorithm: SIGN,
      publicKey: keys.publicKey,
      signingKey: rootKeys.privateKey,
      extensions: [
        ...extensions,
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false),
        await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey, false),
      ],
    });
  const intermediateKeys = await crypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const intermediate = await issue(
    'C=NL, O=TCS RA simulated CA (not publicly trusted), CN=TCS RA Simulated Issuing CA',
    intermediateKeys,
    30,
    [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign |
          x509.KeyUsageFlags.cRLSign |
          x509.KeyUsageFlags.digitalSignature,
        true,
      ),
    ],
  );
  const tlsKeys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const tls = await issue('CN=localhost', tlsKeys, 20, [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension([
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
      { type: 'ip', value: '::1' },
    ]),
  ]);
  const write = (name: string, text: string, secret = false): void =>
    writeFileSync(join(dir, name), text, { mode: secret ? 0o600 : 0o644 });
  write('root.pem', root.toString('pem') + '\n');
  write(
    'root.key',
    pemKey(await crypto.subtle.exportKey('pkcs8', rootKeys.privateKey)) + '\n',
    true,
  );
  write('intermediate.pem', intermediate.toString('pem') + '\n');
  write(
    'intermediate.key',
    pemKey(await crypto.subtle.exportKey('pkcs8', intermediateKeys.privateKey)) + '\n',
    true,
  );
  write('tls.pem', tls.toString('pem') + '\n');
  write('tls.key', pemKey(await crypto.subtle.exportKey('pkcs8', tlsKeys.privateKey)) + '\n', true);
}

// Created on first start; later starts (and other instances sharing the folder) load the
// same files. A half-written set never appears: it is built aside and renamed into place.
export async function loadOrCreatePki(folder: string): Promise<SimPki> {
  const dir = join(folder, 'pki');
  if (!existsSync(dir)) {
    mkdirSync(folder, { recursive: true });
    const scratch = mkdtempSync(join(folder, '.pki-'));
    try {
      await generate(scratch);
      renameSync(scratch, dir);
    } catch (err) {
      rmSync(scratch, { recursive: true, force: true });
      // Another process won the race: use its files.
      if (!existsSync(dir)) {
        throw err;
      }
    }
  }
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
  return {
    root: {
      certificate: new x509.X509Certificate(read('root.pem')),
      key: await importKey(read('root.key')),
    },
    intermediate: {
      certificate: new x509.X509Certificate(read('intermediate.pem')),
      key: await importKey(read('intermediate.key')),
    },
    tlsCertPem: read('tls.pem'),
    tlsKeyPem: read('tls.key'),
    rootFile: join(dir, 'root.pem'),
  };
}
