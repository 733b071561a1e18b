// The states of a request (DESIGN.md). Which action leads from which state to which, and
// who may take it, is the lifecycle's table (request-lifecycle.ts); nothing else moves them.
export const REQUEST_STATUSES = [
  'submitted',
  'approved',
  'rejected',
  'cancelled',
  'expired',
  'ordering',
  'ordered',
  'needs-reconciliation',
  'failed',
  'issued',
  'revoked',
  'superseded',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

// A request still holding its key: the same key elsewhere counts as reuse.
export const LIVE_STATUSES: readonly RequestStatus[] = REQUEST_STATUSES.filter(
  (s) => !['rejected', 'cancelled', 'expired', 'failed'].includes(s),
);

export function isRequestStatus(value: unknown): value is RequestStatus {
  return typeof value === 'string' && (REQUEST_STATUSES as readonly string[]).includes(value);
}
