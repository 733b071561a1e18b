import type { Principal } from '../accounts/principal.js';
import type { Role } from '../accounts/role-grant.entity.js';
import { can, type Action, type Place } from './access.js';

function person(userId: number, role: Role, scopeId: number): Principal {
  return {
    userId,
    email: `u${userId}@example.org`,
    displayName: `User ${userId}`,
    language: null,
    grants: [{ role, scopeId }],
    via: 'session',
  };
}

// A request in NREN 1, organisation 10, department 100. Each person below exists twice: as
// the request's requester (user 7) and as somebody else (user 8), with the same role.
const PLACE: Omit<Place, 'requesterId'> = { nrenId: 1, organisationId: 10, departmentId: 100 };
const ROLES: Record<string, [Role, number]> = {
  'platform admin': ['platform-admin', 0],
  'NREN admin': ['nren-admin', 1],
  RAO: ['rao', 10],
  DRAO: ['drao', 100],
  requester: ['requester', 100],
  'RAO elsewhere': ['rao', 20],
  'requester elsewhere': ['requester', 200],
};

type Row = Record<'own' | 'other', boolean>;
const yes: Row = { own: true, other: true };
const no: Row = { own: false, other: false };
const notOwn: Row = { own: false, other: true };
const ownOnly: Row = { own: true, other: false };

// Written from the README's access table; separation of duties is the `notOwn` rows.
const EXPECTED: Record<string, Partial<Record<Action, Row>>> = {
  'platform admin': {
    'request.view': yes,
    'request.cancel': yes,
    'request.approve': notOwn,
    'request.reject': yes,
    'request.revoke': yes,
    'request.reconcile': yes,
  },
  'NREN admin': {
    'request.view': yes,
    'request.cancel': yes,
    'request.approve': notOwn,
    'request.reject': yes,
    'request.revoke': yes,
    'request.reconcile': yes,
  },
  RAO: {
    'request.view': yes,
    'request.cancel': yes,
    'request.approve': notOwn,
    'request.reject': yes,
    'request.revoke': yes,
    'request.reconcile': yes,
  },
  DRAO: {
    'request.view': yes,
    'request.cancel': yes,
    'request.approve': notOwn,
    'request.reject': yes,
    'request.revoke': yes,
    'request.reconcile': no,
  },
  requester: {
    'request.view': yes,
    'request.cancel': ownOnly,
    'request.approve': no,
    'request.reject': no,
    'request.revoke': no,
    'request.reconcile': no,
  },
  'RAO elsewhere': {},
  'requester elsewhere': {},
};

const ACTIONS: Action[] = [
  'request.view',
  'request.cancel',
  'request.approve',
  'request.reject',
  'request.revoke',
  'request.reconcile',
];

const CASES = Object.entries(ROLES).flatMap(([who, [role, scope]]) =>
  ACTIONS.flatMap((action) =>
    (['own', 'other'] as const).map((whose) => {
      const allowed = EXPECTED[who][action]?.[whose] ?? false;
      return [who, action, whose, allowed, role, scope] as const;
    }),
  ),
);

describe('access to requests', () => {
  it.each(CASES)('%s: %s on %s request -> %s', (_who, action, whose, allowed, role, scope) => {
    const p = person(whose === 'own' ? 7 : 8, role, scope);
    expect(can(p, action, { ...PLACE, requesterId: 7 })).toBe(allowed);
  });

  it('counts a person as the requester only by their user id', () => {
    const rao = person(9, 'rao', 10);
    expect(can(rao, 'request.approve', { ...PLACE })).toBe(true);
    expect(can(rao, 'request.approve', { ...PLACE, requesterId: 9 })).toBe(false);
  });
});
