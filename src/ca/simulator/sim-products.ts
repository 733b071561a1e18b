import type { CaProfile } from '../ca-client.js';

// The simulated CA's catalogue. Point the RA's products at these ids (NREN product ids, or
// the catalogue's CA product id) when ordering from the simulator.
export interface SimProduct {
  id: number;
  profile: CaProfile;
  // The product's own ceiling; the date-based industry limit applies on top.
  maxDays: number;
}

export const SIM_PRODUCTS: readonly SimProduct[] = [
  { id: 1001, profile: 'ov-single', maxDays: 398 },
  { id: 1002, profile: 'ov-multi-domain', maxDays: 398 },
  { id: 1003, profile: 'ev-single', maxDays: 398 },
  { id: 1004, profile: 'ev-multi-domain', maxDays: 398 },
  { id: 1005, profile: 'code-signing', maxDays: 1095 },
  { id: 1006, profile: 'ev-code-signing', maxDays: 1095 },
];

export function isCodeSigning(profile: CaProfile): boolean {
  return profile === 'code-signing' || profile === 'ev-code-signing';
}

export function simProductId(profile: CaProfile): number {
  return SIM_PRODUCTS.find((p) => p.profile === profile)!.id;
}
