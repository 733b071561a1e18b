import fc from 'fast-check';
import { closePrimes, randomPrime } from '../../../test/fixtures/csr/csr-builder.js';
import { bitLength, FERMAT_ROUNDS, fermatFactor, isqrt } from './fermat.js';

describe('isqrt', () => {
  it('is the floor square root for small and large numbers', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 4200n }), (n) => {
        const r = isqrt(n);
        return r * r <= n && (r + 1n) * (r + 1n) > n;
      }),
      { numRuns: 2000 },
    );
  });

  it('is exact on perfect squares and their neighbours', () => {
    for (const r of [0n, 1n, 2n ** 26n - 1n, 2n ** 26n + 3n, 2n ** 1024n - 1n, 3n ** 700n]) {
      expect(isqrt(r * r)).toBe(r);
      if (r > 0n) {
        expect(isqrt(r * r - 1n)).toBe(r - 1n);
      }
      expect(isqrt(r * r + 2n * r)).toBe(r);
    }
  });

  it('knows bit lengths', () => {
    expect([0n, 1n, 2n, 255n, 256n, 2n ** 2047n].map(bitLength)).toEqual([0, 1, 2, 8, 9, 2048]);
  });
});

describe('Fermat factorisation', () => {
  it('factors a 2048-bit modulus whose primes differ by about 2^20', () => {
    const [p, q] = closePrimes(1024);
    expect(fermatFactor(p * q)).toEqual([p, q]);
  });

  // n = (m - d)(m + d) = m^2 - d^2 is found in round k = m - ceil(sqrt(n)): the 100-round
  // limit means rounds 0..99, so k = 99 is found and k = 100 is not.
  it.each([
    [0, true],
    [42, true],
    [FERMAT_ROUNDS - 1, true],
    [FERMAT_ROUNDS, false],
    [FERMAT_ROUNDS + 50, false],
  ])('a modulus that needs round %i is factored: %s', (round, found) => {
    const m = (1n << 1023n) + 12345n * 2n;
    const roundOf = (d: bigint): bigint => {
      const n = m * m - d * d;
      const r = isqrt(n);
      return m - (r * r === n ? r : r + 1n);
    };
    // smallest odd d whose round is `round` (the round grows with d)
    let lo = 1n;
    let hi = 1n << 600n;
    while (lo < hi) {
      const mid = (lo + hi) / 2n;
      if (roundOf(mid) < BigInt(round)) {
        lo = mid + 1n;
      } else {
        hi = mid;
      }
    }
    let d = lo | 1n;
    while (roundOf(d) !== BigInt(round)) {
      d += 2n;
    }
    const n = (m - d) * (m + d);
    expect(fermatFactor(n) !== null).toBe(found);
    if (found) {
      const [a, b] = fermatFactor(n)!;
      expect(a * b).toBe(n);
    }
  });

  it('factors a square (p = q)', () => {
    const p = randomPrime(512);
    expect(fermatFactor(p * p)).toEqual([p, p]);
  });

  it('leaves ordinary keys alone', () => {
    for (let i = 0; i < 10; i++) {
      expect(fermatFactor(randomPrime(512) * randomPrime(512))).toBeNull();
    }
  });
});
