import type { CaRefusal } from '../ca-client.js';

// Every error code the legacy API documents (../../../README.md, "The CA adapter"); each has
// a message in i18n/<lang>/ca.json under codes.<code>, checked by legacy-codes.spec.ts.
export const LEGACY_ERROR_CODES = [
  -1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -13, -14, -15, -16, -17, -18, -19, -20, -21,
  -22, -23, -24, -25, -26, -35, -36, -40, -41,
] as const;

// The CA says: try again later (-14 unknown error, -26 currently being issued).
export const RETRYABLE_CODES: ReadonlySet<number> = new Set([-14, -26]);

export function refusalOf(code: number, errorItem?: string, errorMessage?: string): CaRefusal {
  const known = (LEGACY_ERROR_CODES as readonly number[]).includes(code);
  return {
    caCode: code,
    messageKey: known ? `ca.codes.${code}` : 'ca.codes.unknown',
    // The CA's own text is English and only shown for codes we do not know.
    params: known
      ? { item: errorItem ?? '-' }
      : { code, message: (errorMessage ?? '').slice(0, 300) },
  };
}
