// The request's life (DESIGN.md). Every change goes through RequestsService.transition,
// which checks this table, bumps the version and writes the audit row in one transaction.
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

export const TRANSITIONS: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  submitted: ['approved', 'rejected', 'cancelled', 'expired'],
  approved: ['ordering', 'cancelled'],
  ordering: ['ordered', 'needs-reconciliation', 'failed'],
  'needs-reconciliation': ['ordered', 'failed'],
  ordered: ['issued', 'failed'],
  issued: ['revoked', 'superseded'],
  rejected: [],
  cancelled: [],
  expired: [],
  failed: [],
  revoked: [],
  superseded: [],
};

// A request still holding its key: the same key elsewhere counts as reuse.
export const LIVE_STATUSES: readonly RequestStatus[] = REQUEST_STATUSES.filter(
  (s) => !['rejected', 'cancelled', 'expired', 'failed'].includes(s),
);

export function canMove(from: RequestStatus, to: RequestStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isRequestStatus(value: unknown): value is RequestStatus {
  return typeof value === 'string' && (REQUEST_STATUSES as readonly string[]).includes(value);
}
