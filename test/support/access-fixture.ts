import request from 'supertest';
import type { Role } from '../../src/accounts/role-grant.entity.js';
import { User } from '../../src/accounts/user.entity.js';
import { Transactions } from '../../src/database/transactions.js';
import { Directory } from './directory.js';
import { usableDomain } from './requests.js';
import type { TestApp } from './test-app.js';

// The people of the access matrix: one person per role, each at one place of the fixture.
export const ACTORS = [
  'admin',
  'nrenA',
  'raoA1',
  'draoA1d1',
  'reqA1d1',
  'reqA1d2',
  'raoB1',
] as const;
export type Actor = (typeof ACTORS)[number];

export const ACTOR_LABEL: Record<Actor, string> = {
  admin: 'platform-admin',
  nrenA: 'nren-admin(A)',
  raoA1: 'rao(A1)',
  draoA1d1: 'drao(A1-d1)',
  reqA1d1: 'requester(A1-d1)',
  reqA1d2: 'requester(A1-d2)',
  raoB1: 'rao(B1)',
};

// The places, by the names the cases use. Names are unique across kinds.
export const NRENS = ['A', 'B'] as const;
export const ORGANISATIONS = ['A1', 'A2', 'B1'] as const;
export const DEPARTMENTS = ['A1-d1', 'A1-d2', 'B1-d1'] as const;
export const DOMAINS = [
  'a1.example.org',
  'a1-d2.example.org',
  'a2.example.org',
  'b1.example.net',
] as const;

// What the fixture puts in each organisation (lists must show at least these to those who
// see everything).
export const FIXTURE_DEPARTMENTS: Record<string, string[]> = {
  A1: ['A1-d1', 'A1-d2'],
  A2: [],
  B1: ['B1-d1'],
};
export const FIXTURE_DOMAINS: Record<string, string[]> = {
  A1: ['a1.example.org', 'a1-d2.example.org'],
  A2: ['a2.example.org'],
  B1: ['b1.example.net'],
};

export interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface AccessFixture {
  dir: Directory;
  ids: Record<string, number>;
  tokens: Record<Actor, string>;
  call(
    actor: Actor,
    method: 'get' | 'post' | 'patch' | 'put',
    path: string,
    body?: object,
  ): Promise<Reply>;
}

// Two NRENs, three organisations, three departments, four domains (three delegated, one to
// each department, and validated, so that requests can be made there) and one person per
// role, all made through the API as the platform administrator.
export async function buildAccessFixture(t: TestApp): Promise<AccessFixture> {
  const dir = await new Directory(t).init();
  const ids: Record<string, number> = {};
  ids.A = (await dir.nren('NREN-A')).id;
  ids.B = (await dir.nren('NREN-B')).id;
  ids.A1 = (await dir.organisation(ids.A, 'Org A1')).id;
  ids.A2 = (await dir.organisation(ids.A, 'Org A2')).id;
  ids.B1 = (await dir.organisation(ids.B, 'Org B1')).id;
  ids['A1-d1'] = (await dir.department(ids.A1, 'A1-d1')).id;
  ids['A1-d2'] = (await dir.department(ids.A1, 'A1-d2')).id;
  ids['B1-d1'] = (await dir.department(ids.B1, 'B1-d1')).id;
  ids['a1.example.org'] = (await dir.domain(ids.A1, 'a1.example.org')).id;
  ids['a1-d2.example.org'] = (await dir.domain(ids.A1, 'a1-d2.example.org')).id;
  ids['a2.example.org'] = (await dir.domain(ids.A2, 'a2.example.org')).id;
  ids['b1.example.net'] = (await dir.domain(ids.B1, 'b1.example.net')).id;
  for (const [domain, department] of [
    ['a1.example.org', 'A1-d1'],
    ['a1-d2.example.org', 'A1-d2'],
    ['b1.example.net', 'B1-d1'],
  ]) {
    await usableDomain(dir, ids[domain], [ids[department]]);
  }
  const people: [Actor, Role, string][] = [
    ['nrenA', 'nren-admin', 'A'],
    ['raoA1', 'rao', 'A1'],
    ['draoA1d1', 'drao', 'A1-d1'],
    ['reqA1d1', 'requester', 'A1-d1'],
    ['reqA1d2', 'requester', 'A1-d2'],
    ['raoB1', 'rao', 'B1'],
  ];
  const tokens = { admin: dir.admin } as Record<Actor, string>;
  for (const [actor, role, place] of people) {
    const person = await dir.person(`${actor.toLowerCase()}@example.org`, role, ids[place]);
    tokens[actor] = person.token;
    ids[`user:${actor}`] = person.id;
  }
  ids['user:admin'] = (
    await t.get(Transactions).manager.findOneByOrFail(User, { email: 'root@example.org' })
  ).id;
  return {
    dir,
    ids,
    tokens,
    async call(actor, method, path, body) {
      const req = request(t.server)
        [method](`/api/v1${path}`)
        .set('Authorization', `Bearer ${tokens[actor]}`);
      const res = await (body ? req.send(body) : req);
      return { status: res.status, body: res.body };
    },
  };
}
