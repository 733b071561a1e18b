// Close primes: if |p - q| is small, Fermat's method (n = a^2 - b^2 with a from ceil(sqrt n))
// finds them within a few rounds. Boulder runs 110 rounds; our policy says 100.
export const FERMAT_ROUNDS = 100;

export function bitLength(n: bigint): number {
  if (n <= 0n) {
    return 0;
  }
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0], 16)));
}

// floor(sqrt(n)). The root of the top half of n, shifted, over-estimates the root to half
// its bits; one Newton step from there lands within a few units above it (Newton from
// above never undershoots), so each level costs one division and a few multiplications.
export function isqrt(n: bigint): bigint {
  if (n < 0n) {
    throw new RangeError('square root of a negative number');
  }
  return isqrtOf(n, bitLength(n));
}

function isqrtOf(n: bigint, bits: number): bigint {
  if (bits <= 100) {
    // a double holds the root of a 100-bit number to within one unit
    let r = BigInt(Math.floor(Math.sqrt(Number(n))));
    while (r * r > n) {
      r--;
    }
    while ((r + 1n) * (r + 1n) <= n) {
      r++;
    }
    return r;
  }
  const k = bits >> 2;
  const x = (isqrtOf(n >> BigInt(2 * k), bits - 2 * k) + 1n) << BigInt(k);
  let r = (x + n / x) >> 1n;
  let square = r * r;
  while (square > n) {
    square -= 2n * r - 1n;
    r--;
  }
  return r;
}

// Quadratic residue filters: a perfect square is a square modulo each of these, and
// together they let through about one non-square in 1,500, so isqrt almost never runs.
// Their product stays below 2^53, so residues are exact doubles.
const FILTER_MODULI = [64, 63, 65, 11, 13, 17, 19, 23] as const;
const FILTER_PRODUCT = BigInt(FILTER_MODULI.reduce((a, m) => a * m, 1));
const SQUARES: readonly Uint8Array[] = FILTER_MODULI.map((m) => {
  const t = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    t[(i * i) % m] = 1;
  }
  return t;
});

export function fermatFactor(n: bigint, rounds = FERMAT_ROUNDS): [bigint, bigint] | null {
  if (n < 4n) {
    return null;
  }
  let a0 = isqrt(n);
  let b0 = a0 * a0 - n;
  if (b0 < 0n) {
    b0 += 2n * a0 + 1n;
    a0 += 1n;
  }
  // Round k tests b2 = (a0 + k)^2 - n = b0 + 2*a0*k + k^2; only its residues are tracked.
  const b0r = Number(b0 % FILTER_PRODUCT);
  const a0r = Number(a0 % FILTER_PRODUCT);
  const res = Int32Array.from(FILTER_MODULI, (m) => b0r % m);
  const step = Int32Array.from(FILTER_MODULI, (m) => (2 * a0r + 1) % m);
  for (let k = 0; k < rounds; k++) {
    let maybeSquare = true;
    for (let i = 0; i < FILTER_MODULI.length; i++) {
      if (!SQUARES[i][res[i]]) {
        maybeSquare = false;
        break;
      }
    }
    if (maybeSquare) {
      const K = BigInt(k);
      const b2 = b0 + 2n * a0 * K + K * K;
      const b = isqrt(b2);
      if (b * b === b2) {
        const a = a0 + K;
        const q = a - b;
        return q > 1n ? [a + b, q] : null;
      }
    }
    // (a + 1)^2 - a^2 = 2a + 1: the increment itself grows by 2 each round. Subtracting
    // instead of % keeps these small integers (V8's float modulo is a libc call).
    for (let i = 0; i < FILTER_MODULI.length; i++) {
      const m = FILTER_MODULI[i];
      let r = res[i] + step[i];
      let st = step[i] + 2;
      if (r >= m) {
        r -= m;
      }
      if (st >= m) {
        st -= m;
      }
      res[i] = r;
      step[i] = st;
    }
  }
  return null;
}
