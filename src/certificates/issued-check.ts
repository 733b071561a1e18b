import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, X509Certificate as NodeCertificate } from 'node:crypto';
import type { ProductKind } from '../csr/policy-context.js';
import { maxValidityDays } from '../csr/validity.js';
import { canonicalName, readCertificate, spkiSha256Of } from './leaf-facts.js';

// Checks a certificate the CA returned against the request it answers, before it is
// stored. Pure and synchronous: signatures are verified with node:crypto, the trusted roots
// come from the caller, the date from the caller's clock.

export const ISSUED_CHECK_CODES = [
  'CERT_UNREADABLE',
  'KEY_MISMATCH',
  'NAME_MISSING',
  'NAME_EXTRA',
  'LEAF_IS_CA',
  'KEY_USAGE_MISSING',
  'KEY_USAGE_REQUIRED',
  'KEY_USAGE_FORBIDDEN',
  'EKU_MISSING',
  'EKU_FORBIDDEN',
  'VALIDITY_TOO_LONG',
  'VALIDITY_OVER_LIMIT',
  'CERT_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CHAIN_UNREADABLE',
  'CHAIN_INCOMPLETE',
  'CHAIN_SIGNATURE_INVALID',
  'CHAIN_ISSUER_NOT_CA',
  'CHAIN_CERT_EXPIRED',
  'CHAIN_UNTRUSTED',
] as const;
export type IssuedCheckCode = (typeof ISSUED_CHECK_CODES)[number];

export interface IssuedFinding {
  code: IssuedCheckCode;
  params: Record<string, string | number>;
}

export interface IssuedCheckInput {
  leafDer: Uint8Array;
  chainDer: Uint8Array[];
  request: {
    // SHA-256 of the CSR's SubjectPublicKeyInfo, as stored on the request.
    spkiSha256: string;
    // The names the RAO approved.
    names: string[];
    kind: ProductKind;
    validityDays: number;
  };
  // Parsed once per array and remembered: pass the same array again, never a changed one.
  trustedRoots: Uint8Array[];
  now: Date;
}

export interface IssuedCheckResult {
  ok: boolean;
  findings: IssuedFinding[];
}

const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  // Microsoft lifetime signing, which code-signing CAs may add (CSBR 7.1.2.3).
  lifetimeSigning: '1.3.6.1.4.1.311.10.3.13',
} as const;
const EKU_NAMES: Record<string, string> = {
  [EKU.serverAuth]: 'serverAuth',
  [EKU.clientAuth]: 'clientAuth',
  [EKU.codeSigning]: 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};

// BR 7.1.2.7.10 (serverAuth, clientAuth still tolerated); CSBR 7.1.2.3 (codeSigning).
const EKU_RULES: Record<ProductKind, { required: string; allowed: string[] }> = {
  tls: { required: EKU.serverAuth, allowed: [EKU.serverAuth, EKU.clientAuth] },
  'code-signing': { required: EKU.codeSigning, allowed: [EKU.codeSigning, EKU.lifetimeSigning] },
};

const F = x509.KeyUsageFlags;
const USAGE_NAMES: [number, string][] = [
  [F.digitalSignature, 'digitalSignature'],
  [F.nonRepudiation, 'nonRepudiation'],
  [F.keyEncipherment, 'keyEncipherment'],
  [F.dataEncipherment, 'dataEncipherment'],
  [F.keyAgreement, 'keyAgreement'],
  [F.keyCertSign, 'keyCertSign'],
  [F.cRLSign, 'cRLSign'],
  [F.encipherOnly, 'encipherOnly'],
  [F.decipherOnly, 'decipherOnly'],
];

// BR 7.1.2.7.11: RSA may have digitalSignature and keyEncipherment, ECDSA digitalSignature
// and keyAgreement; CSBR 7.1.2.3: digitalSignature. A leaf never signs certificates or CRLs.
function allowedUsages(kind: ProductKind, rsa: boolean): number {
  if (kind === 'code-signing') {
    return F.digitalSignature | F.nonRepudiation;
  }
  return rsa ? F.digitalSignature | F.keyEncipherment : F.digitalSignature | F.keyAgreement;
}

const DAY_MS = 86_400_000;

// BR 6.3.2: notBefore to notAfter inclusive, any part of a day counting as a whole day.
export function validityDaysOf(notBefore: Date, notAfter: Date): number {
  return Math.ceil((notAfter.getTime() - notBefore.getTime() + 1000) / DAY_MS);
}

interface Parsed {
  node: NodeCertificate;
  // @peculiar/x509's view, read only when needed: the leaf's extensions, or a subject for a
  // finding. Parsing it costs several times node:crypto's, and a chain walk rarely needs it.
  readonly cert: x509.X509Certificate;
  fingerprint: string;
}

function parse(der: Uint8Array): Parsed {
  const node = new NodeCertificate(der);
  let cert: x509.X509Certificate | undefined;
  return {
    node,
    get cert() {
      cert ??= new x509.X509Certificate(der);
      return cert;
    },
    fingerprint: createHash('sha256').update(der).digest('hex'),
  };
}

// The trusted roots are the same list on every call (the collector keeps one array), and
// Node's store has well over a hundred: parsed once per list, not once per certificate.
const parsedRoots = new WeakMap<Uint8Array[], Parsed[]>();

function parseRoots(roots: Uint8Array[]): Parsed[] {
  let parsed = parsedRoots.get(roots);
  if (!parsed) {
    parsed = roots.map(parse);
    parsedRoots.set(roots, parsed);
  }
  return parsed;
}

// A signature that verified once verifies again: the certificate and its issuer are named
// by their fingerprints, so an intermediate's signature by its root is checked once, not
// for every leaf it issued. Bounded, oldest forgotten first.
const verifiedSteps = new Set<string>();
const MAX_VERIFIED_STEPS = 1000;

function signedBy(subject: Parsed, issuer: Parsed): boolean {
  const step = `${subject.fingerprint}/${issuer.fingerprint}`;
  if (verifiedSteps.has(step)) {
    return true;
  }
  if (!subject.node.verify(issuer.node.publicKey)) {
    return false;
  }
  verifiedSteps.add(step);
  if (verifiedSteps.size > MAX_VERIFIED_STEPS) {
    verifiedSteps.delete(verifiedSteps.values().next().value!);
  }
  return true;
}

function checkNames(cert: x509.X509Certificate, approved: string[], out: IssuedFinding[]): void {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = (san?.names.items ?? []).map((n) =>
    n.type === 'dns' || n.type === 'ip' ? canonicalName(n.value) : `${n.type}:${n.value}`,
  );
  const wanted = new Set(approved.map(canonicalName));
  const have = new Set(names);
  for (const name of wanted) {
    if (!have.has(name)) {
      out.push({ code: 'NAME_MISSING', params: { name } });
    }
  }
  for (const name of have) {
    if (!wanted.has(name)) {
      out.push({ code: 'NAME_EXTRA', params: { name } });
    }
  }
  // A CN must repeat one of the SAN entries (BR 7.1.4.3).
  for (const cn of cert.subjectName.getField('CN').map((v) => v.toLowerCase())) {
    if (!have.has(cn) && !wanted.has(cn)) {
      out.push({ code: 'NAME_EXTRA', params: { name: cn } });
    }
  }
}

function checkUsages(leaf: Parsed, kind: ProductKind, out: IssuedFinding[]): void {
  const basic = leaf.cert.getExtension(x509.BasicConstraintsExtension);
  if (basic?.ca) {
    out.push({ code: 'LEAF_IS_CA', params: {} });
  }
  const ku = leaf.cert.getExtension(x509.KeyUsagesExtension);
  if (!ku) {
    out.push({ code: 'KEY_USAGE_MISSING', params: {} });
  } else {
    const rsa = leaf.node.publicKey.asymmetricKeyType === 'rsa';
    const allowed = allowedUsages(kind, rsa);
    if (
      !(ku.usages & F.digitalSignature) &&
      !(rsa && kind === 'tls' && ku.usages & F.keyEncipherment)
    ) {
      out.push({ code: 'KEY_USAGE_REQUIRED', params: { usage: 'digitalSignature' } });
    }
    for (const [flag, name] of USAGE_NAMES) {
      if (ku.usages & flag && !(allowed & flag)) {
        out.push({ code: 'KEY_USAGE_FORBIDDEN', params: { usage: name } });
      }
    }
  }
  const rule = EKU_RULES[kind];
  const eku = (leaf.cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? []).map(String);
  if (!eku.includes(rule.required)) {
    out.push({ code: 'EKU_MISSING', params: { usage: EKU_NAMES[rule.required] } });
  }
  for (const usage of eku) {
    if (!rule.allowed.includes(usage)) {
      out.push({ code: 'EKU_FORBIDDEN', params: { usage: EKU_NAMES[usage] ?? usage } });
    }
  }
}

function checkValidity(leaf: Parsed, input: IssuedCheckInput, out: IssuedFinding[]): void {
  const { notBefore, notAfter } = leaf.cert;
  const days = validityDaysOf(notBefore, notAfter);
  if (days > input.request.validityDays) {
    out.push({
      code: 'VALIDITY_TOO_LONG',
      params: { days, requested: input.request.validityDays },
    });
  }
  const max = maxValidityDays(input.request.kind, notBefore);
  if (days > max) {
    out.push({ code: 'VALIDITY_OVER_LIMIT', params: { days, max } });
  }
  if (notAfter.getTime() <= input.now.getTime()) {
    out.push({ code: 'CERT_EXPIRED', params: { notAfter: notAfter.toISOString() } });
  }
  // A few minutes of clock difference between the CA and us are not a fault.
  if (notBefore.getTime() > input.now.getTime() + 10 * 60_000) {
    out.push({ code: 'CERT_NOT_YET_VALID', params: { notBefore: notBefore.toISOString() } });
  }
}

const MAX_DEPTH = 6;

// The subject a finding names, as @peculiar/x509 writes it (node:crypto's text if it cannot
// read the certificate node:crypto could).
function subjectOf(c: Parsed): string {
  try {
    return c.cert.subject;
  } catch {
    return c.node.subject.replace(/\n/g, ', ');
  }
}

function within(c: Parsed, now: Date): boolean {
  const t = now.getTime();
  return Date.parse(c.node.validFrom) <= t && t <= Date.parse(c.node.validTo);
}

// Walks from the leaf up through the chain the CA sent to one of the trusted roots: each
// step an issuer by name and key identifier, a valid signature, a CA, within its validity.
function checkChain(leaf: Parsed, input: IssuedCheckInput, out: IssuedFinding[]): void {
  let pool: Parsed[];
  let roots: Parsed[];
  try {
    pool = input.chainDer.map(parse);
    roots = parseRoots(input.trustedRoots);
  } catch {
    out.push({ code: 'CHAIN_UNREADABLE', params: {} });
    return;
  }
  const trusted = new Set(roots.map((r) => r.fingerprint));
  const candidates = [...pool, ...roots];
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const issuers = candidates.filter(
      (c) => c.fingerprint !== current.fingerprint && current.node.checkIssued(c.node),
    );
    if (!issuers.length) {
      const selfSigned = current !== leaf && current.node.checkIssued(current.node);
      out.push({
        code: selfSigned ? 'CHAIN_UNTRUSTED' : 'CHAIN_INCOMPLETE',
        params: { subject: subjectOf(current) },
      });
      return;
    }
    const issuer = issuers.find((c) => signedBy(current, c));
    if (!issuer) {
      out.push({ code: 'CHAIN_SIGNATURE_INVALID', params: { subject: subjectOf(current) } });
      return;
    }
    if (!issuer.node.ca) {
      out.push({ code: 'CHAIN_ISSUER_NOT_CA', params: { subject: subjectOf(issuer) } });
      return;
    }
    if (!within(issuer, input.now)) {
      out.push({ code: 'CHAIN_CERT_EXPIRED', params: { subject: subjectOf(issuer) } });
      return;
    }
    if (trusted.has(issuer.fingerprint)) {
      return;
    }
    current = issuer;
  }
  out.push({ code: 'CHAIN_INCOMPLETE', params: { subject: subjectOf(current) } });
}

export function checkIssued(input: IssuedCheckInput): IssuedCheckResult {
  let leaf: Parsed;
  try {
    const { cert, node } = readCertificate(input.leafDer);
    leaf = { cert, node, fingerprint: createHash('sha256').update(input.leafDer).digest('hex') };
  } catch {
    return { ok: false, findings: [{ code: 'CERT_UNREADABLE', params: {} }] };
  }
  const findings: IssuedFinding[] = [];
  if (spkiSha256Of(leaf.cert) !== input.request.spkiSha256.toLowerCase()) {
    findings.push({ code: 'KEY_MISMATCH', params: {} });
  }
  checkNames(leaf.cert, input.request.names, findings);
  checkUsages(leaf, input.request.kind, findings);
  checkValidity(leaf, input, findings);
  checkChain(leaf, input, findings);
  return { ok: findings.length === 0, findings };
}
