// A strict, allocation-light DER reader for the few structures a PKCS#10 request holds.
// Strict on purpose: the CA parses the request again, and a lenient reader here would let
// through encodings a DER parser there (pyca, Go) refuses. Every failure is a DerError.

export class DerError extends Error {
  constructor(
    readonly offset: number,
    what: string,
  ) {
    super(`${what} at offset ${offset}`);
    this.name = 'DerError';
  }
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

export interface Tlv {
  // First identifier octet; high tag numbers keep their class and constructed bits with 0x1f.
  tag: number;
  start: number;
  valueStart: number;
  end: number;
}

// A 64 KiB request needs at most 3 length octets; more means garbage or an attack.
const MAX_LENGTH_OCTETS = 3;
const MAX_TAG_OCTETS = 4;

export function readTlv(buf: Uint8Array, pos: number, limit: number): Tlv {
  if (pos >= limit) {
    throw new DerError(pos, 'unexpected end of data');
  }
  const start = pos;
  const tag = buf[pos++];
  if ((tag & 0x1f) === 0x1f) {
    let octets = 0;
    let more = true;
    while (more) {
      if (pos >= limit || ++octets > MAX_TAG_OCTETS) {
        throw new DerError(start, 'bad tag');
      }
      more = (buf[pos++] & 0x80) !== 0;
    }
  }
  if (pos >= limit) {
    throw new DerError(pos, 'missing length');
  }
  const first = buf[pos++];
  let length: number;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    if (count === 0) {
      throw new DerError(pos - 1, 'indefinite length is not DER');
    }
    if (count > MAX_LENGTH_OCTETS) {
      throw new DerError(pos - 1, 'length too large');
    }
    if (pos + count > limit) {
      throw new DerError(pos, 'truncated length');
    }
    if (buf[pos] === 0) {
      throw new DerError(pos, 'length not minimally encoded');
    }
    length = 0;
    for (let i = 0; i < count; i++) {
      length = length * 256 + buf[pos++];
    }
    if (length < 0x80) {
      throw new DerError(pos, 'length not minimally encoded');
    }
  }
  if (length > limit - pos) {
    throw new DerError(pos, 'length exceeds the data');
  }
  return { tag, start, valueStart: pos, end: pos + length };
}

export function expectTlv(buf: Uint8Array, pos: number, limit: number, tag: number): Tlv {
  const tlv = readTlv(buf, pos, limit);
  if (tlv.tag !== tag) {
    throw new DerError(pos, `expected tag 0x${tag.toString(16)}, got 0x${tlv.tag.toString(16)}`);
  }
  return tlv;
}

export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  if ((parent.tag & 0x20) === 0) {
    throw new DerError(parent.start, 'expected a constructed value');
  }
  const out: Tlv[] = [];
  let pos = parent.valueStart;
  while (pos < parent.end) {
    const tlv = readTlv(buf, pos, parent.end);
    out.push(tlv);
    pos = tlv.end;
  }
  return out;
}

export function bytesOf(buf: Uint8Array, tlv: Tlv): Uint8Array {
  return buf.subarray(tlv.start, tlv.end);
}

export function valueOf(buf: Uint8Array, tlv: Tlv): Uint8Array {
  return buf.subarray(tlv.valueStart, tlv.end);
}

export function readOid(buf: Uint8Array, tlv: Tlv): string {
  if (tlv.tag !== TAG.OID) {
    throw new DerError(tlv.start, 'expected an OID');
  }
  const { valueStart, end } = tlv;
  if (valueStart === end || (buf[end - 1] & 0x80) !== 0) {
    throw new DerError(tlv.start, 'bad OID');
  }
  const arcs: string[] = [];
  let pos = valueStart;
  let first = true;
  while (pos < end) {
    if (buf[pos] === 0x80) {
      throw new DerError(pos, 'OID arc not minimally encoded');
    }
    let arc = 0;
    let big: bigint | null = null;
    let byte: number;
    do {
      byte = buf[pos++]!;
      if (big === null && arc > 0xfffffffffff) {
        big = BigInt(arc);
      }
      if (big === null) {
        arc = arc * 128 + (byte & 0x7f);
      } else {
        big = big * 128n + BigInt(byte & 0x7f);
      }
    } while (byte & 0x80);
    if (first) {
      first = false;
      if (big !== null) {
        arcs.push('2', String(big - 80n));
      } else if (arc < 80) {
        arcs.push(String(Math.floor(arc / 40)), String(arc % 40));
      } else {
        arcs.push('2', String(arc - 80));
      }
    } else {
      arcs.push(big === null ? String(arc) : String(big));
    }
  }
  return arcs.join('.');
}

// Unsigned magnitude of a DER INTEGER that must be positive (RSA modulus and exponent).
export function readPositiveInteger(buf: Uint8Array, tlv: Tlv): Uint8Array {
  if (tlv.tag !== TAG.INTEGER || tlv.valueStart === tlv.end) {
    throw new DerError(tlv.start, 'expected an INTEGER');
  }
  let v = valueOf(buf, tlv);
  if (v.length > 1 && ((v[0] === 0 && (v[1] & 0x80) === 0) || (v[0] === 0xff && v[1] & 0x80))) {
    throw new DerError(tlv.start, 'INTEGER not minimally encoded');
  }
  if (v[0] & 0x80) {
    throw new DerError(tlv.start, 'negative INTEGER');
  }
  if (v[0] === 0) {
    v = v.subarray(1);
  }
  return v;
}

export function readSmallInteger(buf: Uint8Array, tlv: Tlv): number {
  const v = readPositiveInteger(buf, tlv);
  if (v.length > 4) {
    throw new DerError(tlv.start, 'INTEGER too large');
  }
  let n = 0;
  for (const b of v) {
    n = n * 256 + b;
  }
  return n;
}

export function readBitStringBytes(buf: Uint8Array, tlv: Tlv): Uint8Array {
  if (tlv.tag !== TAG.BIT_STRING || tlv.valueStart === tlv.end) {
    throw new DerError(tlv.start, 'expected a BIT STRING');
  }
  if (buf[tlv.valueStart] !== 0) {
    throw new DerError(tlv.start, 'BIT STRING with unused bits');
  }
  return buf.subarray(tlv.valueStart + 1, tlv.end);
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + Buffer.from(bytes).toString('hex'));
}

const utf8 = new TextDecoder('utf-8');
const utf16be = new TextDecoder('utf-16be');

// Directory strings as text. Strings the request should not contain still decode (to be
// shown and refused by the policy), so only the framing can fail here.
export function readString(buf: Uint8Array, tlv: Tlv): string | null {
  const v = valueOf(buf, tlv);
  switch (tlv.tag) {
    case 0x0c: // UTF8String
      return utf8.decode(v);
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x14: // TeletexString, read as Latin-1 like most decoders
    case 0x16: // IA5String
    case 0x1a: // VisibleString
      return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1');
    case 0x1e: // BMPString
      return v.length % 2 === 0 ? utf16be.decode(v) : null;
    case 0x1c: {
      // UniversalString (UTF-32BE)
      if (v.length % 4 !== 0) {
        return null;
      }
      let s = '';
      for (let i = 0; i < v.length; i += 4) {
        const cp = ((v[i] << 24) | (v[i + 1] << 16) | (v[i + 2] << 8) | v[i + 3]) >>> 0;
        s += cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : '\ufffd';
      }
      return s;
    }
    default:
      return null;
  }
}
