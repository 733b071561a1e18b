import { MAX_RSA_BITS, type ParsedCsr } from './csr-parser.js';
import { SIGNATURE_ALGORITHMS } from './oids.js';
import type { FindingSink, PolicyContext } from './policy-context.js';
import { debianModulusHex } from './weak-keys/debian-blocklist.js';
import { fermatFactor } from './weak-keys/fermat.js';
import { hasRocaFingerprint } from './weak-keys/roca.js';
import { smallFactor } from './weak-keys/small-factors.js';

// Boulder accepts only these for the request's own signature: SHA-2 with RSA PKCS#1 v1.5 or
// ECDSA. SHA-1, MD5, RSA-PSS, EdDSA and the rest are refused by name.
const ALLOWED_HASHES = new Set(['sha256', 'sha384', 'sha512']);

export function checkSignature(csr: ParsedCsr, sink: FindingSink): void {
  const alg = SIGNATURE_ALGORITHMS[csr.signatureAlgorithmOid];
  const allowed =
    alg !== undefined &&
    (alg.family === 'rsa-pkcs1' || alg.family === 'ecdsa') &&
    ALLOWED_HASHES.has(alg.hash ?? '');
  if (!allowed) {
    sink.error('SIG_ALG_NOT_ALLOWED', 'csr', { algorithm: csr.signatureAlgorithmName });
  }
  // BR 6.1.1.3 / proof of possession: the requester holds the private key
  if (!csr.signatureValid) {
    sink.error('SIGNATURE_INVALID', 'csr', { algorithm: csr.signatureAlgorithmName });
  }
}

// BR 7.1.3.1.1: the only AlgorithmIdentifier encodings allowed for subject keys.
const hexBytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
const RSA_ALGORITHM_ID = hexBytes('300d06092a864886f70d0101010500');
const EC_ALGORITHM_IDS: Readonly<Record<string, Uint8Array>> = {
  'P-256': hexBytes('301306072a8648ce3d020106082a8648ce3d030107'),
  'P-384': hexBytes('301006072a8648ce3d020106052b81040022'),
  'P-521': hexBytes('301006072a8648ce3d020106052b81040023'),
};
const CURVE_BITS: Readonly<Record<string, number>> = { 'P-256': 256, 'P-384': 384, 'P-521': 521 };

// BR 6.1.5 (TLS) and CSBR 6.1.5.2 (code signing)
const MIN_RSA_BITS = { tls: 2048, 'code-signing': 3072 } as const;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export function curveBits(curve: string | null): number | null {
  return curve ? (CURVE_BITS[curve] ?? null) : null;
}

export function checkKey(
  csr: ParsedCsr,
  ctx: Pick<PolicyContext, 'product' | 'debianWeak' | 'keyHistory'>,
  sink: FindingSink,
): void {
  const key = csr.publicKey;
  switch (key.kind) {
    case 'rsa': {
      if (!sameBytes(key.algorithmIdentifierDer, RSA_ALGORITHM_ID)) {
        sink.error('KEY_ENCODING_INVALID', 'csr', { algorithm: key.algorithmName });
      }
      const bits = key.modulusBits;
      if (bits > MAX_RSA_BITS) {
        sink.error('KEY_TOO_LARGE', 'csr', { bits, max: MAX_RSA_BITS });
        break;
      }
      if (!csr.publicKeyValid) {
        sink.error('KEY_MALFORMED', 'csr', { algorithm: key.algorithmName });
      }
      const min = MIN_RSA_BITS[ctx.product.kind];
      if (bits < min) {
        sink.error('KEY_TOO_SMALL', 'csr', { bits, min });
      }
      if (bits % 8 !== 0) {
        sink.error('KEY_SIZE_NOT_MULTIPLE_OF_8', 'csr', { bits });
      }
      const e = key.exponent;
      // BR 6.1.6: odd and at least 3; 65537 is what everyone (and Boulder) expects
      if (e < 3n || e % 2n === 0n) {
        sink.error('KEY_EXPONENT_INVALID', 'csr', { exponent: e.toString() });
      } else if (e !== 65537n) {
        sink.warn('KEY_EXPONENT_NOT_65537', 'csr', { exponent: e.toString() });
      }
      checkWeakRsa(key.modulus, ctx, sink);
      break;
    }
    case 'ec': {
      if (key.curve === null) {
        // explicit curve parameters or none at all (RFC 5480 2.1.1 requires a named curve)
        sink.error('KEY_ENCODING_INVALID', 'csr', { algorithm: key.algorithmName });
        break;
      }
      const expected = EC_ALGORITHM_IDS[key.curve];
      if (!expected) {
        sink.error('KEY_CURVE_NOT_ALLOWED', 'csr', { curve: key.curve });
        break;
      }
      if (!sameBytes(key.algorithmIdentifierDer, expected)) {
        sink.error('KEY_ENCODING_INVALID', 'csr', {
          algorithm: `${key.algorithmName} ${key.curve}`,
        });
      }
      if (!csr.publicKeyValid) {
        sink.error('KEY_MALFORMED', 'csr', { algorithm: `${key.algorithmName} ${key.curve}` });
      }
      break;
    }
    case 'other':
      if (key.malformed) {
        sink.error('KEY_MALFORMED', 'csr', { algorithm: key.algorithmName });
      } else {
        sink.error('KEY_ALGORITHM_NOT_ALLOWED', 'csr', { algorithm: key.algorithmName });
      }
      break;
  }
  if (ctx.keyHistory.compromised) {
    sink.error('KEY_COMPROMISED', 'csr');
  }
  if (ctx.keyHistory.usedByOtherOrganisation) {
    sink.error('KEY_USED_BY_OTHER_ORGANISATION', 'csr');
  }
  if (ctx.keyHistory.usedInSameOrganisation) {
    sink.warn('KEY_REUSED', 'csr');
  }
}

// BR 6.1.1.3 (4): refuse keys known to be weak.
function checkWeakRsa(n: bigint, ctx: Pick<PolicyContext, 'debianWeak'>, sink: FindingSink): void {
  const factor = smallFactor(n);
  if (factor !== null) {
    sink.error('KEY_SMALL_FACTOR', 'csr', { factor });
  }
  if (hasRocaFingerprint(n)) {
    sink.error('KEY_ROCA', 'csr');
  }
  // an even modulus is already refused above, and Fermat's method needs an odd one
  if (factor === null && fermatFactor(n) !== null) {
    sink.error('KEY_CLOSE_PRIMES', 'csr');
  }
  if (ctx.debianWeak(debianModulusHex(n))) {
    sink.error('KEY_DEBIAN_WEAK', 'csr');
  }
}
