import { Brackets, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { scopeOf } from '../access/access.js';
import type { Principal } from '../accounts/principal.js';
import { RevocationRequest } from './revocation-request.entity.js';

// The open revocation requests a person may decide (request.revoke: NREN administrators,
// RAOs of the organisation, DRAOs of the department), as a query: the approver's list pages
// it, the navigation counts it.
export function openRevocationRequestsFor(
  em: EntityManager,
  p: Principal,
): SelectQueryBuilder<RevocationRequest> {
  const s = scopeOf(p);
  const qb = em.createQueryBuilder(RevocationRequest, 'rr').where("rr.state = 'open'");
  if (!s.platform) {
    qb.andWhere(
      new Brackets((w) => {
        w.where('rr.nren_id IN (:...nrens)', { nrens: [0, ...s.nrens] })
          .orWhere('rr.organisation_id IN (:...orgs)', { orgs: [0, ...s.raoOrganisations] })
          .orWhere('rr.department_id IN (:...depts)', { depts: [0, ...s.draoDepartments] });
      }),
    );
  }
  return qb;
}
