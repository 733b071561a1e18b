import { ValidationFailed, type FieldProblem } from '../common/errors.js';
import type { AuditEvent } from './audit-event.entity.js';
import type { AuditFilter } from './audit.service.js';

// The kinds of object events are about (subject_type), as the search offers them.
export const AUDIT_SUBJECT_TYPES = [
  'nren',
  'organisation',
  'department',
  'domain',
  'request',
  'certificate',
  'product',
  'person',
  'user',
  'key',
] as const;

const DAY_MS = 86_400_000;

function one(v: unknown): string | undefined {
  const s: unknown = Array.isArray(v) ? (v as unknown[])[0] : v;
  return typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined;
}

function day(v: string | undefined, field: string, problems: FieldProblem[]): Date | undefined {
  if (v === undefined) {
    return undefined;
  }
  const d = new Date(`${v}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(d.getTime())) {
    problems.push({ field, code: 'date_invalid' });
    return undefined;
  }
  return d;
}

// The search's filters from a query string, the same for the page, the CSV and the API.
// Dates are whole UTC days, `to` included. A malformed filter is refused by field, never
// dropped (a dropped filter shows more than was asked for).
export function auditFilterFromQuery(query: Record<string, unknown>): AuditFilter {
  const problems: FieldProblem[] = [];
  const actor = one(query.actor);
  const action = one(query.action);
  const objectType = one(query.objectType);
  const objectId = one(query.objectId);
  const before = one(query.before);
  const to = day(one(query.to), 'to', problems);
  const filter: AuditFilter = {
    actor: actor?.toLowerCase().slice(0, 254),
    from: day(one(query.from), 'from', problems),
    to: to ? new Date(to.getTime() + DAY_MS) : undefined,
  };
  if (action !== undefined) {
    if (/^[a-z][a-z.-]{0,63}$/.test(action)) {
      filter.action = action;
    } else {
      problems.push({ field: 'action', code: 'invalid' });
    }
  }
  if (objectType !== undefined) {
    if ((AUDIT_SUBJECT_TYPES as readonly string[]).includes(objectType)) {
      filter.subjectType = objectType;
    } else {
      problems.push({ field: 'objectType', code: 'invalid' });
    }
  }
  if (objectId !== undefined) {
    if (/^[1-9]\d{0,9}$/.test(objectId)) {
      filter.subjectId = objectId;
    } else {
      problems.push({ field: 'objectId', code: 'invalid' });
    }
  }
  if (before !== undefined) {
    if (/^[1-9]\d{0,9}$/.test(before)) {
      filter.before = Number(before);
    } else {
      problems.push({ field: 'before', code: 'invalid' });
    }
  }
  if (problems.length) {
    throw new ValidationFailed(problems);
  }
  return filter;
}

// The filter back as a query string (the pager and the CSV link keep it), without `before`.
export function auditFilterQuery(query: Record<string, unknown>): string {
  const kept = new URLSearchParams();
  for (const k of ['actor', 'action', 'from', 'to', 'objectType', 'objectId']) {
    const v = one(query[k]);
    if (v !== undefined) {
      kept.set(k, v);
    }
  }
  return kept.toString();
}

export interface AuditRow {
  id: number;
  occurredAt: Date;
  actor: string;
  // A substitute's decision names the absent approver too.
  onBehalfOf: string | null;
  // An appointment names the substitute.
  substitute: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  reason: string | null;
}

function detailOf(e: AuditEvent): Record<string, unknown> {
  try {
    const d: unknown = JSON.parse(e.detail);
    return d && typeof d === 'object' ? (d as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function auditRow(e: AuditEvent): AuditRow {
  const d = detailOf(e);
  const behalf = d.onBehalfOf as { label?: unknown } | undefined;
  return {
    id: e.id,
    occurredAt: e.occurredAt,
    actor: e.actorLabel,
    onBehalfOf: typeof behalf?.label === 'string' ? behalf.label : null,
    substitute:
      e.action === 'substitute.appointed' && typeof d.substitute === 'string' ? d.substitute : null,
    action: e.action,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    reason: typeof d.reason === 'string' ? d.reason : null,
  };
}

// One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. A field a
// spreadsheet would take for a formula (= + - @, or a tab or carriage return first) gets a
// leading apostrophe, so opening the export runs nothing.
export function csvField(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) {
    s = `'${s}`;
  }
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: (string | number | null | undefined)[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
