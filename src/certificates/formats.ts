import { X509Certificate } from 'node:crypto';
import { DerError, readTlv, TAG } from '../csr/der.js';

export const DOWNLOAD_FORMATS = ['pem', 'chain', 'fullchain', 'p7b', 'der'] as const;
export type DownloadFormat = (typeof DOWNLOAD_FORMATS)[number];

export function isDownloadFormat(v: unknown): v is DownloadFormat {
  return DOWNLOAD_FORMATS.includes(v as DownloadFormat);
}

export interface Download {
  body: Buffer;
  contentType: string;
  fileName: string;
}

// Certificates stored one after the other; each is a DER SEQUENCE that says its length.
export function splitDer(concatenated: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = 0;
  while (pos < concatenated.length) {
    const tlv = readTlv(concatenated, pos, concatenated.length);
    if (tlv.tag !== TAG.SEQUENCE) {
      throw new DerError(pos, 'expected a certificate');
    }
    out.push(concatenated.subarray(tlv.start, tlv.end));
    pos = tlv.end;
  }
  return out;
}

// The certificates of a PEM bundle (a CA's chain), in order; anything between blocks is
// ignored, a block that is not valid base64 throws.
export function derFromPem(text: string): Uint8Array[] {
  const blocks =
    text.match(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => {
    const body = block.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) {
      throw new Error('not base64');
    }
    return new Uint8Array(Buffer.from(body, 'base64'));
  });
}

export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${(b64.match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;
}

// A root is never sent by a server (clients have it already), so the chain files leave out
// any self-signed certificate the CA included.
export function intermediatesOf(chain: Uint8Array[]): Uint8Array[] {
  return chain.filter((der) => {
    const c = new X509Certificate(der);
    return !(c.subject === c.issuer && c.checkIssued(c) && c.verify(c.publicKey));
  });
}

function tlv(tag: number, ...parts: Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  if (n < 0x80) {
    return Buffer.concat([Buffer.from([tag, n]), body]);
  }
  const len: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) {
    len.unshift(v & 0xff);
  }
  return Buffer.concat([Buffer.from([tag, 0x80 | len.length, ...len]), body]);
}

const OID_SIGNED_DATA = Buffer.from('06092a864886f70d010702', 'hex'); // 1.2.840.113549.1.7.2
const OID_DATA = Buffer.from('06092a864886f70d010701', 'hex'); // 1.2.840.113549.1.7.1

// A "certs-only" PKCS#7 (RFC 2315 / RFC 5652 SignedData with no signers and no content), as
// `openssl crl2pkcs7 -nocrl` writes it: what IIS and Windows import as a .p7b. The
// certificates keep the order given (leaf first), which is what importers expect.
export function pkcs7CertsOnly(certs: Uint8Array[]): Buffer {
  const signedData = tlv(
    0x30,
    Buffer.from([0x02, 0x01, 0x01]), // version 1
    tlv(0x31), // digestAlgorithms: none
    tlv(0x30, OID_DATA), // encapContentInfo without content
    tlv(0xa0, ...certs), // [0] IMPLICIT certificates
    tlv(0x31), // signerInfos: none
  );
  return tlv(0x30, OID_SIGNED_DATA, tlv(0xa0, signedData));
}

// File names from the certificate's main name: www.example.org -> www_example_org,
// *.example.org -> star_example_org; anything else outside [a-z0-9-] becomes "_".
export function baseFileName(mainName: string): string {
  const safe = mainName
    .toLowerCase()
    .replace(/^\*\./, 'star.')
    .replace(/[^a-z0-9-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 100);
  return safe || 'certificate';
}

export function download(
  format: DownloadFormat,
  mainName: string,
  leafDer: Uint8Array,
  chainDer: Uint8Array[],
): Download {
  const base = baseFileName(mainName);
  const intermediates = intermediatesOf(chainDer);
  const pem = (parts: Uint8Array[], suffix: string): Download => ({
    body: Buffer.from(parts.map((d) => toPem(d)).join('')),
    contentType: 'application/x-pem-file',
    fileName: `${base}${suffix}`,
  });
  switch (format) {
    case 'pem':
      return pem([leafDer], '.pem');
    case 'chain':
      return pem(intermediates, '.chain.pem');
    case 'fullchain':
      return pem([leafDer, ...intermediates], '.fullchain.pem');
    case 'p7b':
      return {
        body: pkcs7CertsOnly([leafDer, ...intermediates]),
        contentType: 'application/x-pkcs7-certificates',
        fileName: `${base}.p7b`,
      };
    case 'der':
      return {
        body: Buffer.from(leafDer),
        contentType: 'application/pkix-cert',
        fileName: `${base}.cer`,
      };
  }
}
