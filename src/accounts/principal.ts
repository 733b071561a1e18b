import type { Role } from './role-grant.entity.js';

export interface Grant {
  role: Role;
  scopeId: number;
}

// Who is acting on this request, loaded from the session or an API token.
export interface Principal {
  userId: number;
  email: string;
  displayName: string;
  language: string | null;
  grants: Grant[];
  via: 'session' | 'token';
}

export function hasRole(principal: Principal, role: Role, scopeId?: number): boolean {
  return principal.grants.some(
    (g) => g.role === role && (scopeId === undefined || g.scopeId === scopeId),
  );
}

export function isPlatformAdmin(principal: Principal): boolean {
  return hasRole(principal, 'platform-admin');
}

// Who must have a second factor when TOTP_REQUIRED is on: whoever can approve or administer
// (every role but requester; see src/access/access.ts for what each may do).
export function approvesOrAdministers(p: { grants: Grant[] }): boolean {
  return p.grants.some((g) => g.role !== 'requester');
}
