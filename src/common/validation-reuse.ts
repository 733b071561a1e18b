// How long a validation may be relied on depends on the date the certificate is issued,
// not only on the date of the validation (BR 4.2.1, ballot SC-081). Each table lists the
// period in force from a date on; the first row applies to everything before the second.
export interface ReusePeriod {
  from: Date;
  days: number;
}

const d = (iso: string) => new Date(`${iso}T00:00:00Z`);
const DAY_MS = 86_400_000;

// Domain and IP address validation data (BR 4.2.1).
export const DOMAIN_VALIDATION_REUSE: ReusePeriod[] = [
  { from: new Date(0), days: 398 },
  { from: d('2026-03-15'), days: 200 },
  { from: d('2027-03-15'), days: 100 },
  { from: d('2029-03-15'), days: 10 },
];

// Organisation identity data (BR 4.2.1): 825 days, 398 from 2026-03-15.
export const IDENTITY_VALIDATION_REUSE: ReusePeriod[] = [
  { from: new Date(0), days: 825 },
  { from: d('2026-03-15'), days: 398 },
];

export function reuseDaysOn(table: ReusePeriod[], at: Date): number {
  let days = table[0].days;
  for (const period of table) {
    if (at.getTime() >= period.from.getTime()) {
      days = period.days;
    }
  }
  return days;
}

// The first moment at which data validated at `validatedAt` may no longer be used: the
// earliest issuance time T with T - validatedAt > reuse(T). Because the periods only shrink,
// a validation made under an older, longer period can stop counting at the change of rule.
export function validationExpiresAt(table: ReusePeriod[], validatedAt: Date): Date {
  const v = validatedAt.getTime();
  for (let i = 0; i < table.length; i++) {
    const start = Math.max(v, table[i].from.getTime());
    const end = i + 1 < table.length ? table[i + 1].from.getTime() : Infinity;
    if (start >= end) {
      continue;
    }
    const limit = v + table[i].days * DAY_MS;
    if (limit < start) {
      return new Date(start);
    }
    if (limit < end) {
      return new Date(limit);
    }
  }
  return new Date(8.64e15);
}
