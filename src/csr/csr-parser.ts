import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { sha256Hex } from '../common/hash.js';
import { CsrParseError, type CsrParseErrorCode } from './csr.errors.js';
import {
  bytesOf,
  bytesToBigInt,
  children,
  DerError,
  expectTlv,
  readBitStringBytes,
  readOid,
  readPositiveInteger,
  readSmallInteger,
  readString,
  TAG,
  valueOf,
  type Tlv,
} from './der.js';
import {
  ATTRIBUTE_NAMES,
  CURVE_NAMES,
  HASH_OIDS,
  KEY_ALGORITHM_NAMES,
  OID,
  SIGNATURE_ALGORITHMS,
} from './oids.js';

export const MAX_CSR_BYTES = 64 * 1024;
// OpenSSL refuses to verify with larger moduli (OPENSSL_RSA_MAX_MODULUS_BITS); bigger keys
// only cost time here, so their arithmetic is skipped and the policy refuses them.
export const MAX_RSA_BITS = 16384;

export type SanEntry =
  | { type: 'dns'; value: string }
  | { type: 'ip'; value: string; bytes: Uint8Array }
  | { type: 'email'; value: string }
  | { type: 'uri'; value: string }
  | { type: 'other'; value: string };

export interface SubjectAttribute {
  oid: string;
  type: string;
  value: string;
}

interface KeyFactsBase {
  algorithmOid: string;
  algorithmName: string;
  algorithmIdentifierDer: Uint8Array;
  spkiDer: Uint8Array;
  spkiSha256: string;
  // The key bytes could not be read for an algorithm we know (bad RSAPublicKey, no curve).
  malformed: boolean;
}

export interface RsaKeyFacts extends KeyFactsBase {
  kind: 'rsa';
  modulusBits: number;
  modulus: bigint;
  exponent: bigint;
  modulusBytes: Uint8Array;
  exponentBytes: Uint8Array;
}

export interface EcKeyFacts extends KeyFactsBase {
  kind: 'ec';
  curveOid: string | null;
  curve: string | null;
  point: Uint8Array;
}

export interface OtherKeyFacts extends KeyFactsBase {
  kind: 'other';
}

export type PublicKeyFacts = RsaKeyFacts | EcKeyFacts | OtherKeyFacts;

export interface DecodedCsr {
  der: Uint8Array;
  sha256: string;
  subject: SubjectAttribute[];
  commonNames: string[];
  hasSanExtension: boolean;
  san: SanEntry[];
  publicKey: PublicKeyFacts;
  signatureAlgorithmOid: string;
  signatureAlgorithmName: string;
  signatureAlgorithmDer: Uint8Array;
  tbsDer: Uint8Array;
  signatureValue: Uint8Array;
}

export interface ProofOfPossession {
  // node:crypto accepted the public key (a point on its curve, a sane RSA key)
  publicKeyValid: boolean;
  signatureValid: boolean;
}

export type ParsedCsr = DecodedCsr & ProofOfPossession;

export function parseCsr(input: string | Uint8Array): ParsedCsr {
  const decoded = decodeCsr(input);
  return Object.assign(decoded, verifyProofOfPossession(decoded));
}

// The structural half of parseCsr: everything but the signature check, so the benchmark
// can time the two apart.
export function decodeCsr(input: string | Uint8Array): DecodedCsr {
  const der = toDer(input);
  try {
    return decodeDer(der);
  } catch (err) {
    if (err instanceof CsrParseError) {
      throw err;
    }
    // Whatever the bytes did to the decoder (including a stack overflow), the caller only
    // ever sees a coded parse error.
    throw new CsrParseError('CSR_MALFORMED', {
      offset: err instanceof DerError ? err.offset : -1,
    });
  }
}

const PEM_BOUNDARY = /-----(BEGIN|END) ([A-Z0-9 ]{1,64})-----/g;
const CSR_LABELS = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);

function fail(code: CsrParseErrorCode, params: Record<string, string | number> = {}): never {
  throw new CsrParseError(code, params);
}

function toDer(input: string | Uint8Array): Uint8Array {
  if (typeof input === 'string') {
    if (input.length > MAX_CSR_BYTES || Buffer.byteLength(input, 'utf8') > MAX_CSR_BYTES) {
      fail('CSR_TOO_LARGE', { max: MAX_CSR_BYTES });
    }
    return fromPem(input);
  }
  // not instanceof: byte arrays from another realm (vm, jest) must work too
  if (!ArrayBuffer.isView(input)) {
    fail('CSR_NOT_PEM_OR_DER');
  }
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length > MAX_CSR_BYTES) {
    fail('CSR_TOO_LARGE', { max: MAX_CSR_BYTES });
  }
  if (bytes.length === 0) {
    fail('CSR_EMPTY');
  }
  if (bytes[0] === TAG.SEQUENCE) {
    // a private copy: the caller's buffer may change after we return
    return Uint8Array.from(bytes);
  }
  return fromPem(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'));
}

function fromPem(text: string): Uint8Array {
  if (text.trim() === '' || text.trim() === '\ufeff') {
    fail('CSR_EMPTY');
  }
  let begin: { label: string; end: number } | null = null;
  let found: Uint8Array | null = null;
  let otherLabel: string | null = null;
  PEM_BOUNDARY.lastIndex = 0;
  for (let m = PEM_BOUNDARY.exec(text); m !== null; m = PEM_BOUNDARY.exec(text)) {
    const [whole, kind, label] = m as unknown as [string, string, string];
    if (kind === 'BEGIN') {
      if (begin) {
        fail('CSR_BAD_PEM');
      }
      begin = { label, end: m.index + whole.length };
      continue;
    }
    if (!begin) {
      fail('CSR_BAD_PEM');
    }
    if (!CSR_LABELS.has(begin.label)) {
      otherLabel ??= begin.label;
    } else {
      if (!CSR_LABELS.has(label)) {
        fail('CSR_BAD_PEM');
      }
      if (found) {
        fail('CSR_MULTIPLE');
      }
      found = decodeBase64(text.slice(begin.end, m.index));
    }
    begin = null;
  }
  if (begin) {
    fail('CSR_BAD_PEM');
  }
  if (found) {
    return found;
  }
  if (otherLabel) {
    fail('CSR_WRONG_PEM_TYPE', { label: otherLabel });
  }
  return fail('CSR_NOT_PEM_OR_DER');
}

// One pass over the body: base64 characters, whitespace anywhere, at most two '=' at the
// end. (A regex plus replace cost a fifth of the whole parse.)
const B64_CHAR = 1;
const B64_SPACE = 2;
const B64_CLASS = (() => {
  const t = new Uint8Array(128);
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') {
    t[c.charCodeAt(0)] = B64_CHAR;
  }
  for (const c of ' \t\r\n\f\v') {
    t[c.charCodeAt(0)] = B64_SPACE;
  }
  return t;
})();

function decodeBase64(body: string): Uint8Array {
  let significant = 0;
  let padding = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    const kind = c < 128 ? B64_CLASS[c] : 0;
    if (kind === B64_CHAR && padding === 0) {
      significant++;
    } else if (c === 0x3d && padding < 2) {
      padding++;
      significant++;
    } else if (kind !== B64_SPACE) {
      fail('CSR_BAD_PEM');
    }
  }
  if (significant === 0 || significant % 4 !== 0) {
    fail('CSR_BAD_PEM');
  }
  const bytes = Buffer.from(body, 'base64');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function decodeDer(der: Uint8Array): DecodedCsr {
  const outer = expectTlv(der, 0, der.length, TAG.SEQUENCE);
  if (outer.end !== der.length) {
    throw new DerError(outer.end, 'data after the request');
  }
  const top = children(der, outer);
  if (top.length !== 3) {
    throw new DerError(outer.start, 'a request has three parts');
  }
  const [info, sigAlg, sigBits] = top as [Tlv, Tlv, Tlv];
  if (info.tag !== TAG.SEQUENCE || sigAlg.tag !== TAG.SEQUENCE) {
    throw new DerError(info.start, 'expected SEQUENCE');
  }
  const parts = children(der, info);
  if (parts.length < 3 || parts.length > 4) {
    throw new DerError(info.start, 'bad CertificationRequestInfo');
  }
  const [version, subjectTlv, spkiTlv, attrs] = parts as [Tlv, Tlv, Tlv, Tlv | undefined];
  if (version.tag !== TAG.INTEGER || subjectTlv.tag !== TAG.SEQUENCE) {
    throw new DerError(version.start, 'bad CertificationRequestInfo');
  }
  // PKCS#10 (RFC 2986 4.1) knows only v1, encoded as 0
  if (version.end - version.valueStart !== 1 || der[version.valueStart] !== 0) {
    fail('CSR_VERSION_UNSUPPORTED');
  }
  const subject = readName(der, subjectTlv);
  const publicKey = readSpki(der, spkiTlv);
  const { hasSanExtension, san } = attrs
    ? readAttributes(der, attrs)
    : { hasSanExtension: false, san: [] };
  const { oid: signatureAlgorithmOid } = readAlgorithmIdentifier(der, sigAlg);
  const signatureValue = readBitStringBytes(der, sigBits);
  return {
    der,
    sha256: sha256Hex(der),
    subject,
    commonNames: subject.filter((a) => a.oid === OID.commonName).map((a) => a.value),
    hasSanExtension,
    san,
    publicKey,
    signatureAlgorithmOid,
    signatureAlgorithmName:
      SIGNATURE_ALGORITHMS[signatureAlgorithmOid]?.name ?? signatureAlgorithmOid,
    signatureAlgorithmDer: bytesOf(der, sigAlg),
    tbsDer: bytesOf(der, info),
    signatureValue,
  };
}

function readAlgorithmIdentifier(der: Uint8Array, tlv: Tlv): { oid: string; params: Tlv | null } {
  if (tlv.tag !== TAG.SEQUENCE) {
    throw new DerError(tlv.start, 'expected AlgorithmIdentifier');
  }
  const parts = children(der, tlv);
  if (parts.length < 1 || parts.length > 2) {
    throw new DerError(tlv.start, 'bad AlgorithmIdentifier');
  }
  return { oid: readOid(der, parts[0]), params: parts[1] ?? null };
}

function readName(der: Uint8Array, name: Tlv): SubjectAttribute[] {
  const out: SubjectAttribute[] = [];
  for (const rdn of children(der, name)) {
    if (rdn.tag !== TAG.SET) {
      throw new DerError(rdn.start, 'expected RDN SET');
    }
    const atvs = children(der, rdn);
    if (atvs.length === 0) {
      throw new DerError(rdn.start, 'empty RDN');
    }
    for (const atv of atvs) {
      const pair = atv.tag === TAG.SEQUENCE ? children(der, atv) : [];
      if (pair.length !== 2) {
        throw new DerError(atv.start, 'bad AttributeTypeAndValue');
      }
      const oid = readOid(der, pair[0]);
      const value =
        readString(der, pair[1]) ?? '#' + Buffer.from(bytesOf(der, pair[1])).toString('hex');
      out.push({ oid, type: ATTRIBUTE_NAMES[oid] ?? oid, value });
    }
  }
  return out;
}

function readSpki(der: Uint8Array, spki: Tlv): PublicKeyFacts {
  if (spki.tag !== TAG.SEQUENCE) {
    throw new DerError(spki.start, 'expected SubjectPublicKeyInfo');
  }
  const parts = children(der, spki);
  if (parts.length !== 2) {
    throw new DerError(spki.start, 'bad SubjectPublicKeyInfo');
  }
  const [algTlv, keyTlv] = parts as [Tlv, Tlv];
  const { oid, params } = readAlgorithmIdentifier(der, algTlv);
  const keyBits = readBitStringBytes(der, keyTlv);
  const spkiDer = bytesOf(der, spki);
  const algorithmName = KEY_ALGORITHM_NAMES[oid] ?? oid;
  const algorithmIdentifierDer = bytesOf(der, algTlv);
  const spkiSha256 = sha256Hex(spkiDer);
  // plain literals rather than spreads: this runs once per request on the hot path
  if (oid === OID.rsaEncryption) {
    const rsa = readRsaPublicKey(keyBits);
    if (rsa) {
      return {
        kind: 'rsa',
        algorithmOid: oid,
        algorithmName,
        algorithmIdentifierDer,
        spkiDer,
        spkiSha256,
        malformed: false,
        modulusBits: rsa.modulusBits,
        modulus: rsa.modulus,
        exponent: rsa.exponent,
        modulusBytes: rsa.modulusBytes,
        exponentBytes: rsa.exponentBytes,
      };
    }
  }
  if (oid === OID.ecPublicKey) {
    const curveOid = params && params.tag === TAG.OID ? readOid(der, params) : null;
    return {
      kind: 'ec',
      algorithmOid: oid,
      algorithmName,
      algorithmIdentifierDer,
      spkiDer,
      spkiSha256,
      malformed: curveOid === null,
      curveOid,
      curve: curveOid ? (CURVE_NAMES[curveOid] ?? curveOid) : null,
      point: keyBits,
    };
  }
  return {
    kind: 'other',
    algorithmOid: oid,
    algorithmName,
    algorithmIdentifierDer,
    spkiDer,
    spkiSha256,
    // an RSA key whose RSAPublicKey could not be read
    malformed: oid === OID.rsaEncryption,
  };
}

function readRsaPublicKey(
  bits: Uint8Array,
): Pick<
  RsaKeyFacts,
  'modulusBits' | 'modulus' | 'exponent' | 'modulusBytes' | 'exponentBytes'
> | null {
  try {
    const seq = expectTlv(bits, 0, bits.length, TAG.SEQUENCE);
    const parts = seq.end === bits.length ? children(bits, seq) : [];
    if (parts.length !== 2) {
      return null;
    }
    const modulusBytes = readPositiveInteger(bits, parts[0]);
    const exponentBytes = readPositiveInteger(bits, parts[1]);
    if (modulusBytes.length === 0 || exponentBytes.length === 0) {
      return null;
    }
    const modulusBits = (modulusBytes.length - 1) * 8 + (32 - Math.clz32(modulusBytes[0]));
    return {
      modulusBits,
      modulus: bytesToBigInt(modulusBytes),
      exponent: bytesToBigInt(exponentBytes),
      modulusBytes,
      exponentBytes,
    };
  } catch (err) {
    if (err instanceof DerError) {
      return null;
    }
    throw err;
  }
}

function readAttributes(
  der: Uint8Array,
  attrs: Tlv,
): { hasSanExtension: boolean; san: SanEntry[] } {
  if (attrs.tag !== 0xa0) {
    throw new DerError(attrs.start, 'expected [0] attributes');
  }
  let extensions: Tlv | null = null;
  for (const attr of children(der, attrs)) {
    const pair = attr.tag === TAG.SEQUENCE ? children(der, attr) : [];
    if (pair.length !== 2 || pair[1].tag !== TAG.SET) {
      throw new DerError(attr.start, 'bad Attribute');
    }
    const oid = readOid(der, pair[0]);
    const values = children(der, pair[1]);
    if (oid === OID.extensionRequest || oid === OID.msExtensionRequest) {
      if (extensions || values.length !== 1 || values[0].tag !== TAG.SEQUENCE) {
        throw new DerError(attr.start, 'bad extensionRequest');
      }
      extensions = values[0]!;
    }
  }
  if (!extensions) {
    return { hasSanExtension: false, san: [] };
  }
  const seen = new Set<string>();
  let san: SanEntry[] | null = null;
  for (const ext of children(der, extensions)) {
    const parts = ext.tag === TAG.SEQUENCE ? children(der, ext) : [];
    if (parts.length < 2 || parts.length > 3) {
      throw new DerError(ext.start, 'bad Extension');
    }
    const oid = readOid(der, parts[0]);
    if (parts.length === 3 && parts[1].tag !== TAG.BOOLEAN) {
      throw new DerError(ext.start, 'bad Extension');
    }
    const value = parts[parts.length - 1];
    if (value.tag !== TAG.OCTET_STRING) {
      throw new DerError(ext.start, 'bad Extension');
    }
    // RFC 5280 4.2: an extension appears at most once
    if (seen.has(oid)) {
      throw new DerError(ext.start, 'duplicate extension');
    }
    seen.add(oid);
    if (oid === OID.subjectAltName) {
      san = readGeneralNames(der, value);
    }
  }
  return { hasSanExtension: san !== null, san: san ?? [] };
}

function readGeneralNames(der: Uint8Array, octets: Tlv): SanEntry[] {
  const seq = expectTlv(der, octets.valueStart, octets.end, TAG.SEQUENCE);
  if (seq.end !== octets.end) {
    throw new DerError(seq.end, 'data after GeneralNames');
  }
  const out: SanEntry[] = [];
  for (const gn of children(der, seq)) {
    const text = (): string => Buffer.from(valueOf(der, gn)).toString('latin1');
    switch (gn.tag) {
      case 0x81:
        out.push({ type: 'email', value: text() });
        break;
      case 0x82:
        out.push({ type: 'dns', value: text() });
        break;
      case 0x86:
        out.push({ type: 'uri', value: text() });
        break;
      case 0x87: {
        const bytes = Uint8Array.from(valueOf(der, gn));
        out.push({ type: 'ip', value: formatIp(bytes), bytes });
        break;
      }
      case 0xa0: {
        const inner = children(der, gn);
        const typeId = inner[0] ? readOid(der, inner[0]) : '?';
        out.push({ type: 'other', value: `otherName:${typeId}` });
        break;
      }
      case 0x88:
        out.push({ type: 'other', value: `registeredID:${readOid(der, { ...gn, tag: TAG.OID })}` });
        break;
      case 0xa3:
        out.push({ type: 'other', value: 'x400Address' });
        break;
      case 0xa4:
        out.push({ type: 'other', value: 'directoryName' });
        break;
      case 0xa5:
        out.push({ type: 'other', value: 'ediPartyName' });
        break;
      default:
        throw new DerError(gn.start, 'unknown GeneralName');
    }
  }
  return out;
}

// RFC 5952 text for IPv6 (lower case, longest run of two or more zero groups as ::).
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) {
    return bytes.join('.');
  }
  if (bytes.length !== 16) {
    return `invalid:${Buffer.from(bytes).toString('hex')}`;
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) {
    groups.push((bytes[i] << 8) | bytes[i + 1]);
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) {
      j++;
    }
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hexes = groups.map((g) => g.toString(16));
  if (bestStart < 0) {
    return hexes.join(':');
  }
  return hexes.slice(0, bestStart).join(':') + '::' + hexes.slice(bestStart + bestLen).join(':');
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

function importKey(key: PublicKeyFacts): KeyObject | null {
  if (key.malformed) {
    return null;
  }
  try {
    if (key.kind === 'rsa') {
      if (key.modulusBits > MAX_RSA_BITS) {
        return null;
      }
      // Building the key from n and e is ten times faster than OpenSSL's SPKI decoder and
      // gives the same key: n and e are all an RSA public key is.
      return createPublicKey({
        key: { kty: 'RSA', n: base64url(key.modulusBytes), e: base64url(key.exponentBytes) },
        format: 'jwk',
      });
    }
    if (
      key.kind === 'ec' &&
      key.curve === 'P-256' &&
      key.point.length === 65 &&
      key.point[0] === 4
    ) {
      // Same reasoning for P-256, where OpenSSL's point check is cheap (not so for P-384/521,
      // whose generic code makes the JWK route several times slower than the decoder).
      return createPublicKey({
        key: {
          kty: 'EC',
          crv: 'P-256',
          x: base64url(key.point.subarray(1, 33)),
          y: base64url(key.point.subarray(33)),
        },
        format: 'jwk',
      });
    }
    return createPublicKey({ key: Buffer.from(key.spkiDer), format: 'der', type: 'spki' });
  } catch {
    return null;
  }
}

const KEY_TYPES_FOR_FAMILY: Readonly<Record<string, readonly string[]>> = {
  'rsa-pkcs1': ['rsa'],
  'rsa-pss': ['rsa', 'rsa-pss'],
  ecdsa: ['ec'],
  eddsa: ['ed25519', 'ed448'],
  dsa: ['dsa'],
};

export function verifyProofOfPossession(csr: DecodedCsr): ProofOfPossession {
  const key = importKey(csr.publicKey);
  if (!key) {
    return { publicKeyValid: false, signatureValid: false };
  }
  const alg = SIGNATURE_ALGORITHMS[csr.signatureAlgorithmOid];
  if (!alg || !KEY_TYPES_FOR_FAMILY[alg.family]?.includes(key.asymmetricKeyType ?? '')) {
    return { publicKeyValid: true, signatureValid: false };
  }
  try {
    let ok: boolean;
    if (alg.family === 'rsa-pss') {
      const pss = readPssParams(csr.signatureAlgorithmDer);
      ok =
        pss !== null &&
        verify(
          pss.hash,
          csr.tbsDer,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pss.saltLength },
          csr.signatureValue,
        );
    } else {
      ok = verify(alg.hash, csr.tbsDer, key, csr.signatureValue);
    }
    return { publicKeyValid: true, signatureValid: ok };
  } catch {
    // unsupported digest (MD2), curve or encoding: not a proof of possession
    return { publicKeyValid: true, signatureValid: false };
  }
}

// RFC 4055 RSASSA-PSS-params; node can only verify when MGF1 uses the message digest.
function readPssParams(algDer: Uint8Array): { hash: string; saltLength: number } | null {
  try {
    const alg = expectTlv(algDer, 0, algDer.length, TAG.SEQUENCE);
    const params = children(algDer, alg)[1];
    let hash = 'sha1';
    let mgfHash = 'sha1';
    let saltLength = 20;
    if (params) {
      for (const field of children(algDer, params)) {
        const inner = children(algDer, field)[0];
        if (!inner) {
          return null;
        }
        if (field.tag === 0xa0) {
          hash = HASH_OIDS[readOid(algDer, children(algDer, inner)[0])] ?? '';
        } else if (field.tag === 0xa1) {
          const [mgfOid, mgfParams] = children(algDer, inner);
          if (!mgfOid || readOid(algDer, mgfOid) !== OID.mgf1 || !mgfParams) {
            return null;
          }
          mgfHash = HASH_OIDS[readOid(algDer, children(algDer, mgfParams)[0])] ?? '';
        } else if (field.tag === 0xa2) {
          saltLength = readSmallInteger(algDer, inner);
        }
      }
    }
    return hash && hash === mgfHash ? { hash, saltLength } : null;
  } catch {
    return null;
  }
}
