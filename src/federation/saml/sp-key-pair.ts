// @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface KeyPairPem {
  key: string;
  cert: string;
}

const RSA = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
} as const;

function pem(label: string, der: ArrayBuffer): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

// A self-signed certificate as SAML uses them: only the key inside matters, so the names
// and the ten-year validity are conventional.
export async function makeKeyPair(
  commonName: string,
  notBefore = new Date(),
  modulusLength = 3072,
): Promise<KeyPairPem> {
  const crypto = webcrypto;
  const algorithm = { ...RSA, modulusLength };
  const keys = await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cn = commonName.replace(/[,+="<>#;\\]/g, ' ').slice(0, 64) || 'saml-sp';
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString('hex'),
      name: `CN=${cn}`,
      notBefore,
      notAfter: new Date(notBefore.getTime() + 10 * 365 * 24 * 3600 * 1000),
      keys,
      signingAlgorithm: algorithm,
    },
    crypto,
  );
  return {
    key: pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', keys.privateKey)),
    cert: cert.toString('pem') + '\n',
  };
}

// Outside production, when no key is configured, one is made once and kept in the data folder
// (like the session secret), so the metadata a test federation holds stays right.
export async function developmentKeyPair(dataDir: string, entityId: string): Promise<KeyPairPem> {
  const keyFile = join(dataDir, 'saml-sp.key');
  const certFile = join(dataDir, 'saml-sp.crt');
  if (existsSync(keyFile) && existsSync(certFile)) {
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
  }
  let host = 'saml-sp';
  try {
    host = new URL(entityId).hostname || host;
  } catch {
    // An entity id need not be a URL (urn:…); the name in the certificate does not matter.
  }
  const pair = await makeKeyPair(host);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(keyFile, pair.key, { mode: 0o600 });
  writeFileSync(certFile, pair.cert);
  return pair;
}
