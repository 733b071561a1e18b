import { EXPECTED_TRANSITIONS } from '../../test/fixtures/request-transitions.js';
import type { Principal } from '../accounts/principal.js';
import type { Role } from '../accounts/role-grant.entity.js';
import {
  allowedActions,
  LIFECYCLE,
  mayTake,
  nextStatus,
  refusalCode,
  REQUEST_ACTIONS,
  type RequestAction,
  type RequestPlace,
} from './request-lifecycle.js';
import { REQUEST_STATUSES, type RequestStatus } from './request-status.js';
import { RequestActionNotAllowed } from './requests.errors.js';

const EXPECTED = EXPECTED_TRANSITIONS;

// Who takes each step: a person holding the access action, the system, or both.
const WHO: Record<RequestAction, { person?: string; system: boolean }> = {
  cancel: { person: 'request.cancel', system: false },
  approve: { person: 'request.approve', system: true },
  reject: { person: 'request.reject', system: false },
  expire: { system: true },
  order: { system: true },
  ack: { system: true },
  'mark-unknown': { system: true },
  reconcile: { person: 'request.reconcile', system: true },
  resend: { person: 'request.reconcile', system: false },
  fail: { system: true },
  'collect-issued': { system: true },
  revoke: { person: 'request.revoke', system: true },
  supersede: { system: true },
};

const PAIRS = REQUEST_STATUSES.flatMap((status) =>
  REQUEST_ACTIONS.map((action) => [status, action, EXPECTED[status][action] ?? null] as const),
);

describe('the request lifecycle table', () => {
  it('knows exactly the actions and states the table above lists', () => {
    expect([...REQUEST_ACTIONS].sort()).toEqual(Object.keys(WHO).sort());
    expect([...REQUEST_STATUSES].sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(PAIRS).toHaveLength(156);
  });

  it.each(PAIRS)('%s --%s--> %s', (status, action, to) => {
    if (to) {
      expect(nextStatus(status, action)).toBe(to);
      return;
    }
    let refusal: unknown;
    try {
      nextStatus(status, action);
    } catch (err) {
      refusal = err;
    }
    // A decision arriving after another says how the request ended.
    expect(refusal).toMatchObject({
      kind: 'conflict',
      code: refusalCode(status, action),
      params: { action, status },
    });
    if (refusalCode(status, action) === 'request_action_not_allowed') {
      expect(refusal).toBeInstanceOf(RequestActionNotAllowed);
    } else {
      expect(['approved', 'rejected', 'cancelled', 'expired']).toContain(status);
    }
  });

  it.each(REQUEST_ACTIONS)('%s is taken by the right actors', (action) => {
    expect({ person: LIFECYCLE[action].person, system: LIFECYCLE[action].system ?? false }).toEqual(
      WHO[action],
    );
  });

  it('asks for a reason where the words matter', () => {
    expect(LIFECYCLE.reject.reason).toBe('required');
    expect(LIFECYCLE.fail.reason).toBe('required');
  });
});

function principal(userId: number, grants: [Role, number][]): Principal {
  return {
    userId,
    email: `u${userId}@example.org`,
    displayName: `User ${userId}`,
    language: null,
    grants: grants.map(([role, scopeId]) => ({ role, scopeId })),
    via: 'token',
  };
}

// NREN 1, organisation 10, department 100; requester is user 7.
function request(status: RequestStatus, requesterId = 7): RequestPlace {
  return {
    status,
    requesterId,
    organisationId: 10,
    departmentId: 100,
    organisation: { nrenId: 1 },
  };
}

describe('what a person may do with a request now', () => {
  const requester = principal(7, [['requester', 100]]);
  const colleague = principal(8, [['requester', 100]]);
  const rao = principal(9, [['rao', 10]]);
  const raoAsRequester = principal(7, [['rao', 10]]);
  const admin = principal(1, [['platform-admin', 0]]);
  const strangerRao = principal(11, [['rao', 20]]);

  it.each([
    ['the requester, while submitted', requester, 'submitted', ['cancel']],
    ['the requester who is also the RAO', raoAsRequester, 'submitted', ['reject', 'cancel']],
    ['the requester, once approved', requester, 'approved', ['cancel']],
    ['the requester, once issued', requester, 'issued', []],
    ['a colleague in the department', colleague, 'submitted', []],
    ['the RAO', rao, 'submitted', ['approve', 'reject', 'cancel']],
    ['the RAO, once approved', rao, 'approved', ['cancel']],
    ['the RAO, once cancelled', rao, 'cancelled', []],
    ['an RAO of another organisation', strangerRao, 'submitted', []],
  ] as const)('%s', (_who, p, status, actions) => {
    expect(allowedActions(p, request(status))).toEqual(actions);
  });

  it('lets the RAO approve and reject a request, but nobody approve their own', () => {
    expect(mayTake(rao, request('submitted'), 'approve')).toBe(true);
    expect(mayTake(rao, request('submitted'), 'reject')).toBe(true);
    expect(mayTake(raoAsRequester, request('submitted'), 'approve')).toBe(false);
    expect(mayTake(raoAsRequester, request('submitted'), 'reject')).toBe(true);
    expect(mayTake(admin, request('submitted', 1), 'approve')).toBe(false);
    expect(mayTake(admin, request('submitted'), 'approve')).toBe(true);
    // Only while the state allows it.
    expect(mayTake(rao, request('approved'), 'approve')).toBe(false);
  });

  it('never offers a system step to a person', () => {
    for (const action of REQUEST_ACTIONS.filter((a) => !LIFECYCLE[a].person)) {
      for (const status of LIFECYCLE[action].from) {
        expect(mayTake(admin, request(status), action)).toBe(false);
      }
    }
  });
});
