import { primeGroups } from './prime-groups.js';
// A modulus with a prime factor below 752 is broken (badkeys "smallfactors", Boulder's
// goodkey). The test is gcd(n, primorial(751)) != 1.
export const SMALL_FACTOR_BOUND = 752;

export const SMALL_PRIMES: readonly number[] = (() => {
  const sieve = new Uint8Array(SMALL_FACTOR_BOUND);
  const primes: number[] = [];
  for (let i = 2; i < SMALL_FACTOR_BOUND; i++) {
    if (!sieve[i]) {
      primes.push(i);
      for (let j = i * i; j < SMALL_FACTOR_BOUND; j += i) {
        sieve[j] = 1;
      }
    }
  }
  return primes;
})();

export const PRIMORIAL: bigint = SMALL_PRIMES.reduce((acc, p) => acc * BigInt(p), 1n);

// The gcd itself (Euclid on ~1000-bit bigints) costs ~190 us in V8; the same answer comes
// from n mod primorial, then that residue modulo groups of primes whose product fits in a
// double, in ~13 us. The spec checks the two agree.
const GROUPS = primeGroups(SMALL_PRIMES);

// The smallest prime factor of n below 752, or null.
export function smallFactor(n: bigint): number | null {
  const r = n % PRIMORIAL;
  for (const group of GROUPS) {
    const g = Number(r % group.product);
    for (const p of group.primes) {
      if (g % p === 0) {
        return p;
      }
    }
  }
  return null;
}
