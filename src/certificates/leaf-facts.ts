import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, X509Certificate as NodeCertificate } from 'node:crypto';
import { children, readOid, readTlv } from '../csr/der.js';
import { formatIp } from '../csr/csr-parser.js';
import { parseIp } from '../csr/ip-ranges.js';
import { SIGNATURE_ALGORITHMS } from '../csr/oids.js';

export interface LeafFacts {
  serial: string;
  issuer: string;
  subject: string;
  // SAN dNSName and iPAddress entries in certificate order, lower case; the CN when no SAN.
  names: string[];
  keyType: string;
  keyBits: number | null;
  signatureAlgorithm: string;
  notBefore: Date;
  notAfter: Date;
  fingerprintSha256: string;
  spkiSha256: string;
}

// Serials are compared as numbers written in hex: no colons, no leading zeros, lower case.
export function normaliseSerial(s: string): string {
  return s
    .replace(/[\s:]/g, '')
    .toLowerCase()
    .replace(/^0+(?=.)/, '');
}

// Names as the request stores them: DNS names in lower case, IP addresses in RFC 5952 text,
// so the two compare as strings.
export function canonicalName(name: string): string {
  const ip = parseIp(name);
  return ip ? formatIp(ip) : name.toLowerCase();
}

export function namesOf(cert: x509.X509Certificate): string[] {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = (san?.names.items ?? [])
    .filter((n) => n.type === 'dns' || n.type === 'ip')
    .map((n) => canonicalName(n.value));
  if (names.length) {
    return [...new Set(names)];
  }
  return cert.subjectName.getField('CN').map((cn) => cn.toLowerCase());
}

export function spkiSha256Of(cert: x509.X509Certificate): string {
  return createHash('sha256').update(Buffer.from(cert.publicKey.rawData)).digest('hex');
}

function signatureAlgorithmOf(der: Uint8Array): string {
  const outer = readTlv(der, 0, der.length);
  const algorithm = children(der, outer)[1];
  const oid = readOid(der, children(der, algorithm)[0]);
  return SIGNATURE_ALGORITHMS[oid]?.name ?? oid;
}

// The collector checks an issued certificate and then stores it; both read the same bytes,
// so they are parsed once (kept only as long as the bytes are).
const readings = new WeakMap<Uint8Array, { cert: x509.X509Certificate; node: NodeCertificate }>();

export function readCertificate(der: Uint8Array): {
  cert: x509.X509Certificate;
  node: NodeCertificate;
} {
  let reading = readings.get(der);
  if (!reading) {
    reading = { node: new NodeCertificate(der), cert: new x509.X509Certificate(der) };
    readings.set(der, reading);
  }
  return reading;
}

export function leafFacts(der: Uint8Array): LeafFacts {
  const { cert, node } = readCertificate(der);
  const details = node.publicKey.asymmetricKeyDetails ?? {};
  const keyType = node.publicKey.asymmetricKeyType;
  const curveBits: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };
  return {
    serial: normaliseSerial(cert.serialNumber),
    issuer: cert.issuer.slice(0, 1000),
    subject: cert.subject.slice(0, 1000),
    names: namesOf(cert),
    keyType: keyType === 'rsa' ? 'RSA' : keyType === 'ec' ? 'ECDSA' : String(keyType),
    keyBits:
      details.modulusLength ??
      (details.namedCurve ? (curveBits[details.namedCurve] ?? null) : null),
    signatureAlgorithm: signatureAlgorithmOf(der),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    fingerprintSha256: createHash('sha256').update(der).digest('hex'),
    spkiSha256: spkiSha256Of(cert),
  };
}
