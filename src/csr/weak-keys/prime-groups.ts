export interface PrimeGroup {
  product: bigint;
  primes: readonly number[];
}

// Small primes grouped so that each group's product stays below 2^53: n mod p for every p
// then costs one bigint division per group plus exact float arithmetic (ROCA, small factors).
export function primeGroups(primes: readonly number[]): readonly PrimeGroup[] {
  const groups: PrimeGroup[] = [];
  let current: number[] = [];
  let product = 1;
  for (const p of primes) {
    if (product * p > Number.MAX_SAFE_INTEGER) {
      groups.push({ product: BigInt(product), primes: current });
      current = [];
      product = 1;
    }
    current.push(p);
    product *= p;
  }
  groups.push({ product: BigInt(product), primes: current });
  return groups;
}
