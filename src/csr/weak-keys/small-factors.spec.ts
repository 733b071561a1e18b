import fc from 'fast-check';
import { randomPrime } from '../../../test/fixtures/csr/csr-builder.js';
import { PRIMORIAL, SMALL_FACTOR_BOUND, SMALL_PRIMES, smallFactor } from './small-factors.js';

function gcd(a: bigint, b: bigint): bigint {
  while (b) {
    [a, b] = [b, a % b];
  }
  return a;
}

describe('small factors', () => {
  it('knows the primes below 752', () => {
    expect(SMALL_PRIMES.length).toBe(133);
    expect(SMALL_PRIMES[0]).toBe(2);
    expect(SMALL_PRIMES[SMALL_PRIMES.length - 1]).toBe(751);
    expect(SMALL_FACTOR_BOUND).toBe(752);
  });

  const big = randomPrime(2030);

  it.each(SMALL_PRIMES.map((p) => [p]))('finds the factor %i in a 2040-bit modulus', (p) => {
    expect(smallFactor(BigInt(p) * big)).toBe(p);
  });

  it('does not flag 757 (the next prime) nor real keys', () => {
    expect(smallFactor(757n * big)).toBeNull();
    expect(smallFactor(randomPrime(1024) * randomPrime(1024))).toBeNull();
  });

  it('agrees with gcd(n, primorial) on random numbers', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 1n << 2048n }), (n) => {
        const g = gcd(n, PRIMORIAL);
        const f = smallFactor(n);
        return g === 1n ? f === null : f !== null && g % BigInt(f) === 0n && smallestPrime(g) === f;
      }),
      { numRuns: 3000 },
    );
  });
});

function smallestPrime(g: bigint): number | undefined {
  return SMALL_PRIMES.find((p) => g % BigInt(p) === 0n);
}
