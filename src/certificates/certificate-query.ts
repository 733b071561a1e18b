import { ValidationFailed, type FieldProblem } from '../common/errors.js';
import { isCertificateState } from './certificate.entity.js';
import type { CertificateFilter, CertificateSort } from './certificates.service.js';

export const WITHIN_DAYS = [7, 30, 90] as const;
const DAY_MS = 86_400_000;

function one(v: unknown): string | undefined {
  const s: unknown = Array.isArray(v) ? (v as unknown[])[0] : v;
  return typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined;
}

// YYYY-MM-DD is midnight UTC; a full ISO 8601 time is taken as written.
function date(v: string | undefined, field: string, problems: FieldProblem[]): Date | undefined {
  if (v === undefined) {
    return undefined;
  }
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(d.getTime())) {
    problems.push({ field, code: 'date_invalid' });
    return undefined;
  }
  return d;
}

function id(v: string | undefined, field: string, problems: FieldProblem[]): number | undefined {
  if (v === undefined) {
    return undefined;
  }
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0 || n >= 2 ** 31) {
    problems.push({ field, code: 'invalid' });
    return undefined;
  }
  return n;
}

// The list's filters from a query string, the same for the page and the API. Anything
// malformed is refused by field, never silently dropped (a dropped filter shows too much).
export function filterFromQuery(query: Record<string, unknown>, now: Date): CertificateFilter {
  const problems: FieldProblem[] = [];
  const state = one(query.state);
  const sort = one(query.sort);
  const withinRaw = one(query.within);
  const q = one(query.q);
  const filter: CertificateFilter = {
    q: q?.slice(0, 200),
    state: undefined,
    expiresAfter: date(one(query.expiresAfter), 'expiresAfter', problems),
    expiresBefore: date(one(query.expiresBefore), 'expiresBefore', problems),
    nrenId: id(one(query.nrenId), 'nrenId', problems),
    organisationId: id(one(query.organisationId), 'organisationId', problems),
    departmentId: id(one(query.departmentId), 'departmentId', problems),
    sort: 'expiry',
    cursor: one(query.cursor),
  };
  if (state !== undefined) {
    if (isCertificateState(state)) {
      filter.state = state;
    } else {
      problems.push({ field: 'state', code: 'invalid' });
    }
  }
  if (sort !== undefined) {
    if (sort === 'expiry' || sort === 'newest') {
      filter.sort = sort satisfies CertificateSort;
    } else {
      problems.push({ field: 'sort', code: 'invalid' });
    }
  }
  if (withinRaw !== undefined) {
    const days = Number(withinRaw);
    if (!Number.isInteger(days) || days < 1 || days > 3650) {
      problems.push({ field: 'within', code: 'invalid' });
    } else {
      filter.expiresAfter = now;
      filter.expiresBefore = new Date(now.getTime() + days * DAY_MS);
    }
  }
  if (problems.length) {
    throw new ValidationFailed(problems);
  }
  return filter;
}
