import type { AuditEvent } from '../audit/audit-event.entity.js';
import type { RequestStatus } from './request-status.js';

// Why a request failed or waits for reconciliation, as the step that put it there recorded it
// (`detail.outcome`: an i18n key and its parameters, from the CA pipeline), for the reader's
// language. Null when the request is elsewhere or the step gave no outcome.
export function lastOutcome(
  status: RequestStatus,
  history: Pick<AuditEvent, 'action' | 'detail'>[],
): { key: string; params: Record<string, string | number> } | null {
  const action =
    status === 'failed'
      ? 'request.failed'
      : status === 'needs-reconciliation'
        ? 'request.needs-reconciliation'
        : null;
  const event = action ? history.find((e) => e.action === action) : undefined;
  if (!event) {
    return null;
  }
  try {
    const detail = JSON.parse(event.detail) as { outcome?: { key?: unknown; params?: unknown } };
    const o = detail.outcome;
    return o && typeof o.key === 'string'
      ? { key: o.key, params: (o.params ?? {}) as Record<string, string | number> }
      : null;
  } catch {
    return null;
  }
}
