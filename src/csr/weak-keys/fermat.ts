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

// floor(sqrt(n)) by Newton's method from a float estimate good to ~50 bits, so a 4096-bit
// modulus needs about six divisions.
export function isqrt(n: bigint): bigint {
  if (n < 0n) {
    throw new RangeError('square root of a negative number');
  }
  if (n < 2n ** 52n) {
    let r = BigInt(Math.floor(Math.sqrt(Number(n))));
    while (r * r > n) {
      r--;
    }
    while ((r + 1n) * (r + 1n) <= n) {
      r++;
    }
    return r;
  }
  const shift = BigInt((bitLength(n) - 52) & ~1);
  let x = (BigInt(Math.ceil(Math.sqrt(Number(n >> shift)))) + 1n) << (shift / 2n);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) {
      return x;
    }
    x = y;
  }
}

// Quadratic residue filters: a perfect square is a square modulo each of these, and
// together they let through about one non-square in 120, so isqrt runs rarely.
const FILTER_MODULI = [64, 63, 65, 11] as const;
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
  if (a0 * a0 < n) {
    a0 += 1n;
  }
  const b0 = a0 * a0 - n;
  // Round k tests b2 = (a0 + k)^2 - n = b0 + 2*a0*k + k^2; only its residues are tracked.
  const b0r = Number(b0 % FILTER_PRODUCT);
  const a0r = Number(a0 % FILTER_PRODUCT);
  const res = FILTER_MODULI.map((m) => b0r % m);
  const step = FILTER_MODULI.map((m) => (2 * a0r + 1) % m);
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
    // (a + 1)^2 - a^2 = 2a + 1: the increment itself grows by 2 each round
    for (let i = 0; i < FILTER_MODULI.length; i++) {
      const m = FILTER_MODULI[i];
      res[i] = (res[i] + step[i]) % m;
      step[i] = (step[i] + 2) % m;
    }
  }
  return null;
}
