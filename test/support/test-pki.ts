import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, webcrypto } from 'node:crypto';

// A root, an intermediate and leaves signed by them with @peculiar/x509, for tests of the
// certificate store and of the check of issued certificates.
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export const EKU_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
export const EKU_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';

export function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
}

export async function spkiOf(key: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await webcrypto.subtle.exportKey('spki', key));
}

export async function spkiSha256(key: CryptoKey): Promise<string> {
  return createHash('sha256')
    .update(await spkiOf(key))
    .digest('hex');
}

export interface Authority {
  keys: CryptoKeyPair;
  cert: x509.X509Certificate;
  der: Uint8Array;
}

async function authority(name: string, issuer?: Authority, notAfter?: Date): Promise<Authority> {
  const keys = await generateKeys();
  const extensions = [
    new x509.BasicConstraintsExtension(true, issuer ? 0 : undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  const common = {
    serialNumber: createHash('sha1').update(name).digest('hex').slice(0, 16),
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter: notAfter ?? new Date('2040-01-01T00:00:00Z'),
    signingAlgorithm: SIGN,
  };
  const cert = issuer
    ? await x509.X509CertificateGenerator.create({
        ...common,
        subject: name,
        issuer: issuer.cert.subject,
        publicKey: keys.publicKey,
        signingKey: issuer.keys.privateKey,
        extensions: [
          ...extensions,
          await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
        ],
      })
    : await x509.X509CertificateGenerator.createSelfSigned({
        ...common,
        name,
        keys,
        extensions,
      });
  return { keys, cert, der: new Uint8Array(cert.rawData) };
}

export interface LeafSpec {
  // A WebCrypto key, or SubjectPublicKeyInfo DER (the key of a CSR made with node:crypto).
  publicKey: CryptoKey | Uint8Array;
  names: string[];
  notBefore: Date;
  days?: number;
  // Whole validity in milliseconds, when days is not precise enough.
  lifetimeMs?: number;
  eku?: string[];
  keyUsage?: number;
  ca?: boolean;
  issuer?: Authority;
  serialNumber?: string;
  cn?: string | null;
}

export interface TestPki {
  root: Authority;
  intermediate: Authority;
  issue(spec: LeafSpec): Promise<Uint8Array>;
  makeAuthority(name: string, issuer?: Authority, notAfter?: Date): Promise<Authority>;
}

export async function createTestPki(): Promise<TestPki> {
  const root = await authority('CN=Test Root CA,O=RA Tests');
  const intermediate = await authority('CN=Test Issuing CA,O=RA Tests', root);
  return {
    root,
    intermediate,
    makeAuthority: authority,
    async issue(spec) {
      const issuer = spec.issuer ?? intermediate;
      const lifetime = spec.lifetimeMs ?? (spec.days ?? 90) * DAY - 1000;
      const cn = spec.cn === undefined ? spec.names[0] : spec.cn;
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber:
          spec.serialNumber ??
          Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
            .toString('hex')
            .replace(/^[89a-f]/, '1'),
        subject: cn ? `CN=${cn}` : 'O=RA Tests',
        issuer: issuer.cert.subject,
        notBefore: spec.notBefore,
        notAfter: new Date(spec.notBefore.getTime() + lifetime),
        publicKey: spec.publicKey as x509.PublicKeyType,
        signingKey: issuer.keys.privateKey,
        signingAlgorithm: SIGN,
        extensions: [
          new x509.BasicConstraintsExtension(spec.ca ?? false, undefined, true),
          new x509.KeyUsagesExtension(spec.keyUsage ?? x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension(spec.eku ?? [EKU_SERVER_AUTH]),
          new x509.SubjectAlternativeNameExtension(
            spec.names.map((value) => ({
              type: /^[\d.]+$|:/.test(value) ? ('ip' as const) : ('dns' as const),
              value,
            })),
          ),
          await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
        ],
      });
      return new Uint8Array(cert.rawData);
    },
  };
}
