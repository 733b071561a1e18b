import { Brackets } from 'typeorm';
import { scopeOf } from '../access/access.js';
import type { Principal } from '../accounts/principal.js';
import type { AuditWithin } from '../audit/audit.service.js';
import { NotFound } from '../common/errors.js';

// Events name their object by type and id (subject_type, subject_id); where an object sits
// is read from its own table. subject_id is text: both databases compare it with the integer
// ids numerically.
const SITS_IN: Record<string, string> = {
  organisation: 'SELECT 1 FROM organisations o WHERE o.id = e.subject_id AND o.__scope',
  department: `SELECT 1 FROM departments d JOIN organisations o ON o.id = d.organisation_id
    WHERE d.id = e.subject_id AND o.__scope`,
  domain: `SELECT 1 FROM domains dm JOIN organisations o ON o.id = dm.organisation_id
    WHERE dm.id = e.subject_id AND o.__scope`,
  request: `SELECT 1 FROM certificate_requests r JOIN organisations o ON o.id = r.organisation_id
    WHERE r.id = e.subject_id AND o.__scope`,
  certificate: `SELECT 1 FROM certificates c JOIN organisations o ON o.id = c.organisation_id
    WHERE c.id = e.subject_id AND o.__scope`,
  // A person's own settings (substitute appointments) belong where they decide: their RAO
  // organisations and the organisations of their DRAO departments.
  person: `SELECT 1 FROM role_grants g
    JOIN organisations o ON (g.role = 'rao' AND o.id = g.scope_id)
      OR (g.role = 'drao' AND o.id = (SELECT d2.organisation_id FROM departments d2 WHERE d2.id = g.scope_id))
    WHERE g.user_id = e.subject_id AND o.__scope`,
};

function within(scope: string, params: Record<string, unknown>, nrenIds: number[]): AuditWithin {
  return (qb) => {
    qb.andWhere(
      new Brackets((w) => {
        if (nrenIds.length) {
          w.orWhere(`(e.subject_type = 'nren' AND e.subject_id IN (:...auditNrenIds))`, {
            auditNrenIds: nrenIds.map(String),
          });
        }
        for (const [type, sql] of Object.entries(SITS_IN)) {
          w.orWhere(
            `(e.subject_type = '${type}' AND EXISTS (${sql.replace(/o\.__scope/g, scope)}))`,
            params,
          );
        }
      }),
    );
  };
}

// Everything about objects inside these NRENs: the NRENs, their organisations, departments,
// domains, requests and certificates, and the substitutes of their approvers.
export function withinNrens(nrenIds: number[]): AuditWithin {
  return within('o.nren_id IN (:...auditNrens)', { auditNrens: [0, ...nrenIds] }, nrenIds);
}

// An organisation's history: the organisation and everything in it.
export function withinOrganisation(organisationId: number): AuditWithin {
  return within('o.id = :auditOrg', { auditOrg: organisationId }, []);
}

// Who may search the trail: platform administrators everything (null), NREN administrators
// their NRENs; anyone else finds no such page.
export function auditSearchScope(p: Principal): AuditWithin | null {
  const s = scopeOf(p);
  if (s.platform) {
    return null;
  }
  if (s.nrens.size === 0) {
    throw new NotFound('page');
  }
  return withinNrens([...s.nrens]);
}
