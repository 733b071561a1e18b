import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { maxValidityDays } from '../../csr/validity.js';
import type { SimPki } from './sim-pki.js';
import type { CaProfile } from '../ca-client.js';
import { isCodeSigning, type SimProduct } from './sim-products.js';

// CA/Browser Forum certificate policy OIDs (BR 7.1.6.1, EV Guidelines 9.3, CSBR 7.1.6).
const POLICY: Record<CaProfile, string> = {
  'ov-single': '2.23.140.1.2.2',
  'ov-multi-domain': '2.23.140.1.2.2',
  'ev-single': '2.23.140.1.1',
  'ev-multi-domain': '2.23.140.1.1',
  'code-signing': '2.23.140.1.4.1',
  'ev-code-signing': '2.23.140.1.3',
};

export interface IssueInput {
  csrPem: string;
  product: SimProduct;
  names: string[];
  days: number;
  organisation: {
    name?: string;
    locality?: string;
    state?: string;
    country?: string;
  };
  now: Date;
}

function dn(parts: [string, string | undefined][]): string {
  // RFC 4514 escaping of the characters that would split or confuse the name.
  const escape = (v: string) => v.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1');
  return parts
    .filter((p): p is [string, string] => Boolean(p[1]))
    .map(([k, v]) => `${k}=${escape(v)}`)
    .join(', ');
}

// Signs what a public CA would: the requested names as SANs, the product's key usages, a
// validity of the ordered days capped by the product and the date's industry limit.
export async function issueCertificate(
  pki: SimPki,
  input: IssueInput,
): Promise<x509.X509Certificate> {
  const csr = new x509.Pkcs10CertificateRequest(input.csrPem);
  const codeSigning = isCodeSigning(input.product.profile);
  const limit = Math.min(
    input.product.maxDays,
    maxValidityDays(codeSigning ? 'code-signing' : 'tls', input.now),
  );
  const days = Math.min(input.days, limit);
  const notBefore = new Date(Math.floor(input.now.getTime() / 1000) * 1000);
  // Inclusive of its last second (RFC 5280 4.1.2.5), so exactly `days` days long.
  const notAfter = new Date(notBefore.getTime() + days * 86_400_000 - 1000);
  const org = input.organisation;
  const subject = dn([
    ['C', org.country],
    ['ST', org.state],
    ['L', org.locality],
    ['O', org.name],
    ['CN', codeSigning ? org.name : input.names[0]],
  ]);
  const ec = (csr.publicKey.algorithm as { name: string }).name === 'ECDSA';
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature |
        (ec || codeSigning ? 0 : x509.KeyUsageFlags.keyEncipherment),
      true,
    ),
    new x509.ExtendedKeyUsageExtension([
      codeSigning ? x509.ExtendedKeyUsage.codeSigning : x509.ExtendedKeyUsage.serverAuth,
    ]),
    new x509.CertificatePolicyExtension([POLICY[input.product.profile]]),
    await x509.SubjectKeyIdentifierExtension.create(csr.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(pki.intermediate.certificate),
  ];
  if (!codeSigning) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        input.names.map((n) => (isIP(n) ? { type: 'ip', value: n } : { type: 'dns', value: n })),
      ),
    );
  }
  const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)));
  // Positive and without a leading zero byte (RFC 5280 4.1.2.2).
  serial[0] = (serial[0] & 0x7f) | 0x10;
  return x509.X509CertificateGenerator.create({
    serialNumber: serial.toString('hex'),
    subject,
    issuer: pki.intermediate.certificate.subject,
    notBefore,
    notAfter,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' },
    publicKey: csr.publicKey,
    signingKey: pki.intermediate.key,
    extensions,
  });
}
