import { primeGroups } from './prime-groups.js';
// ROCA (CVE-2017-15361): Infineon's RSALib built primes as k*M + (65537^a mod M), so for
// every small prime p dividing M, n mod p lies in the subgroup 65537 generates mod p. This
// is the fingerprint test of crocs-muni/roca and Boulder's rocacheck, over the same primes.
export const ROCA_PRIMES: readonly number[] = [
  3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101,
  103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
];

const GENERATOR = 65537;

// subgroup[i][r] is 1 when r is a power of 65537 mod ROCA_PRIMES[i]; built once at load.
function subgroupTable(p: number): Uint8Array {
  const table = new Uint8Array(p);
  const g = GENERATOR % p;
  let x = 1;
  do {
    table[x] = 1;
    x = (x * g) % p;
  } while (x !== 1);
  return table;
}

const TABLES: readonly Uint8Array[] = ROCA_PRIMES.map(subgroupTable);

// The detectors publish these as bit masks ("markers"); the spec checks ours equal theirs.
export function rocaMarker(index: number): bigint {
  let mask = 0n;
  TABLES[index].forEach((bit, r) => {
    if (bit) {
      mask |= 1n << BigInt(r);
    }
  });
  return mask;
}

// n mod p from one bigint division per group of primes whose product stays below 2^53, so
// the rest is exact float arithmetic; most keys fail the test within the first group.
const GROUPS = primeGroups(ROCA_PRIMES);

export function hasRocaFingerprint(modulus: bigint): boolean {
  let index = 0;
  for (const group of GROUPS) {
    const r = Number(modulus % group.product);
    for (const p of group.primes) {
      if (!TABLES[index++][r % p]) {
        return false;
      }
    }
  }
  return true;
}
