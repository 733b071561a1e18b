import { queryId } from '../common/ids.js';
import { auditRow, type AuditRow } from './audit-query.js';
import type { AuditService, AuditWithin } from './audit.service.js';

export interface HistoryModel {
  rows: AuditRow[];
  nextHref: string | null;
  firstHref: string | null;
}

// One page of an object's history (newest first, keyset by `before`), for views/audit/history.
export async function historyPage(
  audit: AuditService,
  path: string,
  query: Record<string, unknown>,
  subject: { type: string; id: number } | null,
  within: AuditWithin | null = null,
): Promise<HistoryModel> {
  const before = queryId(query.before);
  const page = await audit.search(
    {
      ...(subject ? { subjectType: subject.type, subjectId: String(subject.id) } : {}),
      before,
    },
    within,
    50,
  );
  return {
    rows: page.items.map(auditRow),
    nextHref: page.next ? `${path}?before=${page.next}` : null,
    firstHref: before ? path : null,
  };
}
