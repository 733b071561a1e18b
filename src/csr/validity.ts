import type { FindingSink, PolicyContext, ProductKind } from './policy-context.js';

interface Step {
  from: number;
  days: number;
}

const utc = (date: string): number => Date.parse(`${date}T00:00:00Z`);

// BR 6.3.2 as amended by ballot SC-081: the limit depends on the date of issuance.
const TLS_STEPS: readonly Step[] = [
  { from: utc('2029-03-15'), days: 47 },
  { from: utc('2027-03-15'), days: 100 },
  { from: utc('2026-03-15'), days: 200 },
];
const TLS_BEFORE = 398;

// CSBR 6.3.2: 460 days from 2026-03-01, 39 months before.
const CODE_SIGNING_STEPS: readonly Step[] = [{ from: utc('2026-03-01'), days: 460 }];
const CODE_SIGNING_BEFORE = 1186;

export function maxValidityDays(kind: ProductKind, now: Date): number {
  const t = now.getTime();
  const [steps, before] =
    kind === 'tls' ? [TLS_STEPS, TLS_BEFORE] : [CODE_SIGNING_STEPS, CODE_SIGNING_BEFORE];
  return steps.find((s) => t >= s.from)?.days ?? before;
}

// What a request for a product gets when it names no validity: the product's longest term
// within the limit of the day, one day less (see checkValidity).
export function validityOnOffer(
  kind: ProductKind,
  productMaxDays: number,
  now: Date,
): { limit: number; days: number } {
  const limit = Math.min(maxValidityDays(kind, now), productMaxDays);
  return { limit, days: Math.max(1, limit - 1) };
}

// Returns the validity to order. BR 6.3.2 counts any fraction of a day as a whole day, so
// by default we ask for one day less than the limit.
export function checkValidity(
  ctx: Pick<PolicyContext, 'now' | 'product' | 'requestedValidityDays'>,
  sink: FindingSink,
): number {
  const { limit, days: fallback } = validityOnOffer(
    ctx.product.kind,
    ctx.product.maxValidityDays,
    ctx.now,
  );
  const requested = ctx.requestedValidityDays;
  if (requested === undefined) {
    return fallback;
  }
  if (!Number.isInteger(requested)) {
    sink.error('VALIDITY_NOT_WHOLE_DAYS', 'validity', { requested, max: limit });
    return fallback;
  }
  if (requested <= 0) {
    sink.error('VALIDITY_NOT_POSITIVE', 'validity', { requested, max: limit });
    return fallback;
  }
  if (requested > limit) {
    sink.error('VALIDITY_TOO_LONG', 'validity', { requested, max: limit });
    return limit;
  }
  return requested;
}
