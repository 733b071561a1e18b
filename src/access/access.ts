import type { Principal } from '../accounts/principal.js';
import type { Role } from '../accounts/role-grant.entity.js';

// Where an object sits: every object belongs to an NREN, most to an organisation, some to a
// department. Domains also list the departments they are delegated to.
export interface Place {
  nrenId: number;
  organisationId?: number;
  departmentId?: number;
  delegatedDepartmentIds?: number[];
}

export type Action =
  | 'nren.create'
  | 'nren.view'
  | 'nren.edit'
  | 'organisation.create'
  | 'organisation.view'
  | 'organisation.edit'
  | 'organisation.validate-identity'
  | 'department.create'
  | 'department.view'
  | 'department.edit'
  | 'domain.create'
  | 'domain.view'
  | 'domain.check'
  | 'domain.edit'
  | 'domain.validate-manually'
  | 'people.view'
  | 'request.create'
  | 'request.view'
  | 'certificate.view';

function grantsOf(p: Principal, role: Role): Set<number> {
  return new Set(p.grants.filter((g) => g.role === role).map((g) => g.scopeId));
}

export interface Scope {
  platform: boolean;
  nrens: Set<number>;
  raoOrganisations: Set<number>;
  draoDepartments: Set<number>;
  memberDepartments: Set<number>;
}

export function scopeOf(p: Principal): Scope {
  const drao = grantsOf(p, 'drao');
  return {
    platform: grantsOf(p, 'platform-admin').size > 0,
    nrens: grantsOf(p, 'nren-admin'),
    raoOrganisations: grantsOf(p, 'rao'),
    draoDepartments: drao,
    memberDepartments: new Set([...drao, ...grantsOf(p, 'requester')]),
  };
}

// The one place that decides who may do what where (the README's access table). Callers
// treat "no" like "does not exist", so a forbidden object is indistinguishable from none.
export function can(p: Principal, action: Action, place: Place): boolean {
  const s = scopeOf(p);
  if (s.platform) {
    return true;
  }
  const nren = s.nrens.has(place.nrenId);
  const rao = place.organisationId !== undefined && s.raoOrganisations.has(place.organisationId);
  const drao = place.departmentId !== undefined && s.draoDepartments.has(place.departmentId);
  const member = place.departmentId !== undefined && s.memberDepartments.has(place.departmentId);
  const delegatedToMine = (place.delegatedDepartmentIds ?? []).some((id) =>
    s.memberDepartments.has(id),
  );
  switch (action) {
    case 'nren.create':
      return false;
    case 'nren.view':
    case 'nren.edit':
    case 'organisation.create':
    case 'organisation.validate-identity':
    case 'domain.validate-manually':
      return nren;
    case 'organisation.view':
    case 'organisation.edit':
    case 'department.create':
    case 'department.edit':
    case 'domain.create':
    case 'domain.check':
    case 'domain.edit':
      return nren || rao;
    case 'department.view':
      return nren || rao || member;
    case 'people.view':
      return nren || rao || drao;
    case 'domain.view':
      return nren || rao || delegatedToMine;
    case 'request.create':
    case 'request.view':
    case 'certificate.view':
      return nren || rao || member;
  }
}

// Which roles someone may hand out, at a place (invitations).
export function canInvite(p: Principal, role: Role, place: Place): boolean {
  const s = scopeOf(p);
  if (s.platform) {
    return true;
  }
  const nren = s.nrens.has(place.nrenId);
  const rao = place.organisationId !== undefined && s.raoOrganisations.has(place.organisationId);
  const drao = place.departmentId !== undefined && s.draoDepartments.has(place.departmentId);
  switch (role) {
    case 'platform-admin':
      return false;
    case 'nren-admin':
      return nren;
    case 'rao':
      return nren || rao;
    case 'drao':
      return nren || rao;
    case 'requester':
      return nren || rao || drao;
  }
}

// The product catalogue is shared by all NRENs; any NREN administrator may maintain it.
export function canEditProducts(p: Principal): boolean {
  const s = scopeOf(p);
  return s.platform || s.nrens.size > 0;
}
