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

// Returns the validity to order. BR 6.3.2 counts any fraction of a day as a whole day, so
// by default we ask for one day less than the limit.
export function checkValidity(
  ctx: Pick<PolicyContext, 'now' | 'product' | 'requestedValidityDays'>,
  sink: FindingSink,
): number {
  const limit = Math.min(maxValidityDays(ctx.product.kind, ctx.now), ctx.product.maxValidityDays);
  const fallback = Math.max(1, limit - 1);
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
