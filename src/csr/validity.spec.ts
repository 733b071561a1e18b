import { FindingSink, type ProductPolicy } from './policy-context.js';
import { checkValidity, maxValidityDays } from './validity.js';

const at = (iso: string): Date => new Date(iso);

describe('maxValidityDays', () => {
  it.each([
    ['tls', '2025-01-01T00:00:00Z', 398],
    ['tls', '2026-03-14T23:59:59.999Z', 398],
    ['tls', '2026-03-15T00:00:00Z', 200],
    ['tls', '2026-03-15T00:00:00.001Z', 200],
    ['tls', '2027-03-14T23:59:59.999Z', 200],
    ['tls', '2027-03-15T00:00:00Z', 100],
    ['tls', '2027-03-15T12:00:00Z', 100],
    ['tls', '2029-03-14T23:59:59.999Z', 100],
    ['tls', '2029-03-15T00:00:00Z', 47],
    ['tls', '2035-01-01T00:00:00Z', 47],
    ['code-signing', '2025-06-01T00:00:00Z', 1186],
    ['code-signing', '2026-02-28T23:59:59.999Z', 1186],
    ['code-signing', '2026-03-01T00:00:00Z', 460],
    ['code-signing', '2026-03-01T00:00:00.001Z', 460],
    ['code-signing', '2030-01-01T00:00:00Z', 460],
  ] as const)('%s on %s: %i days', (kind, iso, days) => {
    expect(maxValidityDays(kind, at(iso))).toBe(days);
  });
});

describe('checkValidity', () => {
  const tls: ProductPolicy = {
    code: 'ov',
    kind: 'tls',
    maxNames: 100,
    wildcardsAllowed: true,
    maxValidityDays: 398,
  };

  function run(now: string, requested?: number, product = tls) {
    const sink = new FindingSink();
    const days = checkValidity({ now: at(now), product, requestedValidityDays: requested }, sink);
    return { days, errors: sink.errors };
  }

  it.each([
    // the default is one day under the limit: BR 6.3.2 counts part of a day as a day
    ['2026-03-14T23:59:59Z', 397],
    ['2026-03-15T00:00:00Z', 199],
    ['2027-03-15T00:00:00Z', 99],
    ['2029-03-15T00:00:00Z', 46],
  ])('on %s the default is %i days', (now, days) => {
    expect(run(now)).toEqual({ days, errors: [] });
  });

  it('takes the product limit when it is lower than the BR limit', () => {
    expect(run('2025-01-01T00:00:00Z', undefined, { ...tls, maxValidityDays: 90 }).days).toBe(89);
    expect(run('2025-01-01T00:00:00Z', 91, { ...tls, maxValidityDays: 90 }).errors).toEqual([
      { code: 'VALIDITY_TOO_LONG', field: 'validity', params: { requested: 91, max: 90 } },
    ]);
  });

  it.each([
    ['2026-03-14T12:00:00Z', 398, []],
    ['2026-03-15T12:00:00Z', 200, []],
    ['2026-03-15T12:00:00Z', 201, ['VALIDITY_TOO_LONG']],
    ['2026-03-15T12:00:00Z', 398, ['VALIDITY_TOO_LONG']],
    ['2027-03-15T00:00:00Z', 101, ['VALIDITY_TOO_LONG']],
    ['2029-03-15T00:00:00Z', 47, []],
    ['2029-03-15T00:00:00Z', 48, ['VALIDITY_TOO_LONG']],
    ['2026-01-01T00:00:00Z', 0, ['VALIDITY_NOT_POSITIVE']],
    ['2026-01-01T00:00:00Z', -5, ['VALIDITY_NOT_POSITIVE']],
    ['2026-01-01T00:00:00Z', 10.5, ['VALIDITY_NOT_WHOLE_DAYS']],
    ['2026-01-01T00:00:00Z', Number.NaN, ['VALIDITY_NOT_WHOLE_DAYS']],
  ])('on %s, %p days requested: %p', (now, requested, codes) => {
    expect(run(now, requested).errors.map((e) => e.code)).toEqual(codes);
  });

  it('names the limit in the error', () => {
    expect(run('2027-06-01T00:00:00Z', 150).errors[0]?.params).toEqual({
      requested: 150,
      max: 100,
    });
  });

  it('applies the code-signing limits around 2026-03-01', () => {
    const cs: ProductPolicy = { ...tls, kind: 'code-signing', maxValidityDays: 1186 };
    expect(run('2026-02-28T23:59:59Z', 1186, cs)).toEqual({ days: 1186, errors: [] });
    expect(run('2026-03-01T00:00:00Z', undefined, cs)).toEqual({ days: 459, errors: [] });
    expect(run('2026-03-01T00:00:00Z', 461, cs).errors.map((e) => e.params)).toEqual([
      { requested: 461, max: 460 },
    ]);
  });
});
