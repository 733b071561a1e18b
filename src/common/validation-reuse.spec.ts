import {
  DOMAIN_VALIDATION_REUSE,
  IDENTITY_VALIDATION_REUSE,
  reuseDaysOn,
  validationExpiresAt,
} from './validation-reuse.js';

const at = (iso: string) => new Date(iso);

describe('domain validation reuse (BR 4.2.1)', () => {
  it.each([
    ['2026-03-14T23:59:59Z', 398],
    ['2026-03-15T00:00:00Z', 200],
    ['2027-03-14T23:59:59Z', 200],
    ['2027-03-15T00:00:00Z', 100],
    ['2029-03-14T23:59:59Z', 100],
    ['2029-03-15T00:00:00Z', 10],
  ])('on %s the reuse period is %i days', (when, days) => {
    expect(reuseDaysOn(DOMAIN_VALIDATION_REUSE, at(when))).toBe(days);
  });

  it.each([
    // Validated long before a change: the old period runs out first.
    ['2025-01-10T12:00:00Z', '2026-02-12T12:00:00Z'],
    // Validated 2026-03-01: under 398 days, but from 2026-03-15 only 200 days count.
    ['2026-03-01T00:00:00Z', '2026-09-17T00:00:00Z'],
    // Validated on the day of the change: 200 days.
    ['2026-03-15T00:00:00Z', '2026-10-01T00:00:00Z'],
    ['2026-06-01T09:30:00Z', '2026-12-18T09:30:00Z'],
    // Validated 2026-12-01: 200 days would reach June 2027, but 100 apply from 2027-03-15,
    // and on that day the validation is already 104 days old.
    ['2026-12-01T00:00:00Z', '2027-03-15T00:00:00Z'],
    ['2027-03-15T00:00:00Z', '2027-06-23T00:00:00Z'],
    ['2029-03-15T00:00:00Z', '2029-03-25T00:00:00Z'],
    // Validated 2029-03-10: 100 days in principle, but from 2029-03-15 only 10.
    ['2029-03-10T00:00:00Z', '2029-03-20T00:00:00Z'],
  ])('validated at %s stops counting at %s', (validated, expires) => {
    expect(validationExpiresAt(DOMAIN_VALIDATION_REUSE, at(validated)).toISOString()).toBe(
      at(expires).toISOString(),
    );
  });
});

describe('organisation identity reuse (BR 4.2.1)', () => {
  it.each([
    ['2024-01-01T00:00:00Z', '2026-03-15T00:00:00Z'],
    ['2023-01-01T00:00:00Z', '2025-04-05T00:00:00Z'],
    ['2026-03-15T00:00:00Z', '2027-04-17T00:00:00Z'],
    ['2026-03-14T00:00:00Z', '2027-04-16T00:00:00Z'],
  ])('validated at %s stops counting at %s', (validated, expires) => {
    expect(validationExpiresAt(IDENTITY_VALIDATION_REUSE, at(validated)).toISOString()).toBe(
      at(expires).toISOString(),
    );
  });
});
