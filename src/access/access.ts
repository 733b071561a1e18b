import type { Principal } from '../accounts/principal.js';
import type { Role } from '../accounts/role-grant.entity.js';

// Where an object sits: every object belongs to an NREN, most to an organisation, some to a
// department. Domains also list the departments they are delegated to; requests carry the
// person who asked for them.
export interface Place {
  nrenId: number;
  organisationId?: number;
  departmentId?: number;
  delegatedDepartmentIds?: number[];
  requesterId?: number;
  // The organisation lets people approve their own requests (set by an NREN administrator).
  selfApprovalAllowed?: boolean;
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
  | 'request.cancel'
  | 'request.approve'
  | 'request.reject'
  | 'request.revoke'
  | 'request.reconcile'
  | 'certificate.view'
  | 'certificate.request-revocation'
  | 'organisation.self-approval'
  | 'department.auto-approval';

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
  const own = place.requesterId !== undefined && place.requesterId === p.userId;
  // Separation of duties: nobody approves their own request, platform administrators included,
  // unless an NREN administrator has allowed it for the organisation (one-person institutions).
  if (action === 'request.approve' && own && !place.selfApprovalAllowed) {
    return false;
  }
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
    case 'organisation.self-approval':
    case 'domain.validate-manually':
      return nren;
    case 'organisation.view':
    case 'organisation.edit':
    case 'department.create':
    case 'department.edit':
    case 'domain.create':
    case 'domain.check':
    case 'domain.edit':
    case 'department.auto-approval':
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
    // The requester withdraws their own; those who decide on requests may withdraw any.
    case 'request.cancel':
      return nren || rao || drao || (member && own);
    case 'request.approve':
    case 'request.reject':
    case 'request.revoke':
      return nren || rao || drao;
    // Those who hold the certificate ask; those who decide revoke it themselves.
    case 'certificate.request-revocation':
      return member || own;
    // Settling an order whose outcome at the CA is unknown (issue 9).
    case 'request.reconcile':
      return nren || rao;
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

// Resetting someone's second factor: a platform administrator for anyone, an NREN
// administrator for a person whose every role lies in their NRENs; never one's own (that
// takes a current code, on the account page).
export function canResetSecondFactor(
  p: Principal,
  target: { userId: number; places: Place[]; platformAdmin: boolean },
): boolean {
  if (target.userId === p.userId) {
    return false;
  }
  const s = scopeOf(p);
  if (s.platform) {
    return true;
  }
  return (
    !target.platformAdmin &&
    target.places.length > 0 &&
    target.places.every((place) => s.nrens.has(place.nrenId))
  );
}
