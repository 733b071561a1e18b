import type { Role } from '../src/accounts/role-grant.entity.js';
import { CaConnection } from '../src/ca/ca-connection.js';
import { Certificate } from '../src/certificates/certificate.entity.js';
import { Transactions } from '../src/database/transactions.js';
import { CollectingService } from '../src/orders/collecting.service.js';
import { OrderingService } from '../src/orders/ordering.service.js';
import { CertificateRequest } from '../src/requests/certificate-request.entity.js';
import { RequestLifecycle, systemActing } from '../src/requests/request-lifecycle.js';
import { Invitation } from '../src/people/invitation.entity.js';
import {
  ACTORS,
  ACTOR_LABEL,
  DEPARTMENTS,
  DOMAINS,
  FIXTURE_DEPARTMENTS,
  FIXTURE_DOMAINS,
  NRENS,
  ORGANISATIONS,
  buildAccessFixture,
  type AccessFixture,
  type Actor,
  type Reply,
} from './support/access-fixture.js';
import { seedCertificate } from './support/certificate-seed.js';
import { csrFor, submitRequest } from './support/requests.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestPki } from './support/test-pki.js';

// Every role against every directory and request endpoint, for objects in and outside its
// scope and for an id that does not exist. The expectations below are written out by hand from the access
// table in the README; they are deliberately NOT computed from src/access/access.ts.

const UNKNOWN = 'unknown';
const UNKNOWN_ID = 987654;

// ---------------------------------------------------------------------------------------------
// The expected rules (data). An actor left out may act on nothing.
// ---------------------------------------------------------------------------------------------

type Allowed = Partial<Record<Actor, readonly string[]>>;

const ALL_NRENS = NRENS;
const ALL_ORGS = ORGANISATIONS;
const ALL_DEPTS = DEPARTMENTS;
const ALL_DOMAINS = DOMAINS;

// NREN-level actions: platform and the NREN's administrators.
const NREN_LEVEL_ORGS: Allowed = { admin: ALL_ORGS, nrenA: ['A1', 'A2'] };
// Organisation-level actions: also the organisation's RAO.
const ORG_LEVEL_ORGS: Allowed = {
  admin: ALL_ORGS,
  nrenA: ['A1', 'A2'],
  raoA1: ['A1'],
  raoB1: ['B1'],
};
const ORG_LEVEL_DEPTS: Allowed = {
  admin: ALL_DEPTS,
  nrenA: ['A1-d1', 'A1-d2'],
  raoA1: ['A1-d1', 'A1-d2'],
  raoB1: ['B1-d1'],
};
const ORG_LEVEL_DOMAINS: Allowed = {
  admin: ALL_DOMAINS,
  nrenA: ['a1.example.org', 'a1-d2.example.org', 'a2.example.org'],
  raoA1: ['a1.example.org', 'a1-d2.example.org'],
  raoB1: ['b1.example.net'],
};

// One certificate per department, named by it.
const CERTS = ['cert@A1-d1', 'cert@A1-d2', 'cert@B1-d1'] as const;
const CERT_VIEWERS: Allowed = {
  admin: CERTS,
  nrenA: ['cert@A1-d1', 'cert@A1-d2'],
  raoA1: ['cert@A1-d1', 'cert@A1-d2'],
  draoA1d1: ['cert@A1-d1'],
  reqA1d1: ['cert@A1-d1'],
  reqA1d2: ['cert@A1-d2'],
  raoB1: ['cert@B1-d1'],
};

const MAY = {
  'GET /nrens/:id': { admin: ALL_NRENS, nrenA: ['A'] },
  'PATCH /nrens/:id': { admin: ALL_NRENS, nrenA: ['A'] },
  // The NREN named in the body.
  'POST /organisations': { admin: ALL_NRENS, nrenA: ['A'] },
  'GET /organisations/:id': ORG_LEVEL_ORGS,
  'PATCH /organisations/:id': ORG_LEVEL_ORGS,
  'POST /organisations/:id/identity-validation': NREN_LEVEL_ORGS,
  'POST /organisations/:id/departments': ORG_LEVEL_ORGS,
  'GET /departments/:id': {
    ...ORG_LEVEL_DEPTS,
    draoA1d1: ['A1-d1'],
    reqA1d1: ['A1-d1'],
    reqA1d2: ['A1-d2'],
  },
  'PATCH /departments/:id': ORG_LEVEL_DEPTS,
  // Approval policies: lifting separation of duties is the NREN's; automatic approval the RAO's.
  'PUT /organisations/:id/self-approval': NREN_LEVEL_ORGS,
  'PUT /departments/:id/auto-approval': ORG_LEVEL_DEPTS,
  'POST /organisations/:id/domains': ORG_LEVEL_ORGS,
  'GET /domains/:id': {
    ...ORG_LEVEL_DOMAINS,
    draoA1d1: ['a1.example.org'],
    reqA1d1: ['a1.example.org'],
    reqA1d2: ['a1-d2.example.org'],
  },
  'PATCH /domains/:id': ORG_LEVEL_DOMAINS,
  'POST /domains/:id/check': ORG_LEVEL_DOMAINS,
  'POST /domains/:id/validation-email': ORG_LEVEL_DOMAINS,
  'POST /domains/:id/manual-validation': {
    admin: ALL_DOMAINS,
    nrenA: ['a1.example.org', 'a1-d2.example.org', 'a2.example.org'],
  },
  'GET /people?organisationId=:id': ORG_LEVEL_ORGS,
  'GET /people?departmentId=:id': { ...ORG_LEVEL_DEPTS, draoA1d1: ['A1-d1'] },
  // Certificates: like requests, the department's people, its organisation's RAOs, the NREN.
  'GET /certificates/:id': CERT_VIEWERS,
  'GET /certificates/:id/pem': CERT_VIEWERS,
  'GET /certificates/:id/chain': CERT_VIEWERS,
  'GET /certificates/:id/fullchain': CERT_VIEWERS,
  'GET /certificates/:id/p7b': CERT_VIEWERS,
  'GET /certificates/:id/der': CERT_VIEWERS,
  'GET /certificates/:id/reminders': CERT_VIEWERS,
  // Importing into a department: those who look after its organisation.
  'POST /certificates/import {departmentId}': ORG_LEVEL_DEPTS,
  'GET /certificates?nrenId=:id': { admin: ALL_NRENS, nrenA: ['A'] },
  'GET /certificates?organisationId=:id': ORG_LEVEL_ORGS,
  'GET /certificates?departmentId=:id': {
    ...ORG_LEVEL_DEPTS,
    draoA1d1: ['A1-d1'],
    reqA1d1: ['A1-d1'],
    reqA1d2: ['A1-d2'],
  },
} satisfies Record<string, Allowed>;

type Route = keyof typeof MAY;

// Requests, named `<department>/<who asked>`: the requester's own, a colleague's (the DRAO
// asked), another department's and another organisation's.
const REQUESTS = ['A1-d1/reqA1d1', 'A1-d1/draoA1d1', 'A1-d2/reqA1d2', 'B1-d1/raoB1'] as const;
type RequestKey = (typeof REQUESTS)[number];
const A1_REQUESTS: RequestKey[] = ['A1-d1/reqA1d1', 'A1-d1/draoA1d1', 'A1-d2/reqA1d2'];
const A1_D1_REQUESTS: RequestKey[] = ['A1-d1/reqA1d1', 'A1-d1/draoA1d1'];

// Seeing a request: everyone in its department, and its organisation's and NREN's staff.
const SEES_REQUESTS: Allowed = {
  admin: REQUESTS,
  nrenA: A1_REQUESTS,
  raoA1: A1_REQUESTS,
  draoA1d1: A1_D1_REQUESTS,
  reqA1d1: A1_D1_REQUESTS,
  reqA1d2: ['A1-d2/reqA1d2'],
  raoB1: ['B1-d1/raoB1'],
};
// Cancelling: those who decide on requests there, and the requester their own. Someone who
// sees a request but may not cancel it is told so (403); others get 404.
const MAY_CANCEL: Allowed = {
  admin: REQUESTS,
  nrenA: A1_REQUESTS,
  raoA1: A1_REQUESTS,
  draoA1d1: A1_D1_REQUESTS,
  reqA1d1: ['A1-d1/reqA1d1'],
  reqA1d2: ['A1-d2/reqA1d2'],
  raoB1: ['B1-d1/raoB1'],
};
// Approving and rejecting: those who decide on requests there (the NREN, the RAO, the DRAO of
// the department); nobody approves their own request.
const MAY_DECIDE: Allowed = {
  admin: REQUESTS,
  nrenA: A1_REQUESTS,
  raoA1: A1_REQUESTS,
  draoA1d1: A1_D1_REQUESTS,
  raoB1: ['B1-d1/raoB1'],
};
const ownerOf = (key: string) => key.split('/')[1];
function mayDecide(actor: Actor, key: string, action: 'approve' | 'reject'): boolean {
  return (
    key !== UNKNOWN &&
    (MAY_DECIDE[actor] ?? []).includes(key) &&
    !(action === 'approve' && ownerOf(key) === actor)
  );
}
function expectedActions(actor: Actor, key: string): string[] {
  return [
    ...(mayDecide(actor, key, 'approve') ? ['approve'] : []),
    ...(mayDecide(actor, key, 'reject') ? ['reject'] : []),
    ...((MAY_CANCEL[actor] ?? []).includes(key) ? ['cancel'] : []),
  ];
}

// Requesting a certificate for a department.
const MAY_REQUEST_IN: Allowed = {
  ...ORG_LEVEL_DEPTS,
  draoA1d1: ['A1-d1'],
  reqA1d1: ['A1-d1'],
  reqA1d2: ['A1-d2'],
};

// Filtered lists: 'all' = everything in the organisation, a list = exactly those; an
// organisation left out answers 404.
type Sees = Partial<Record<Actor, Record<string, 'all' | string[]>>>;
const SEES: Record<'departments' | 'domains', Sees> = {
  departments: {
    admin: { A1: 'all', A2: 'all', B1: 'all' },
    nrenA: { A1: 'all', A2: 'all' },
    raoA1: { A1: 'all' },
    raoB1: { B1: 'all' },
    draoA1d1: { A1: ['A1-d1'] },
    reqA1d1: { A1: ['A1-d1'] },
    reqA1d2: { A1: ['A1-d2'] },
  },
  domains: {
    admin: { A1: 'all', A2: 'all', B1: 'all' },
    nrenA: { A1: 'all', A2: 'all' },
    raoA1: { A1: 'all' },
    raoB1: { B1: 'all' },
    draoA1d1: { A1: ['a1.example.org'] },
    reqA1d1: { A1: ['a1.example.org'] },
    reqA1d2: { A1: ['a1-d2.example.org'] },
  },
};

// Invitations: `role@scope`; 'any' = every role at every existing scope.
const MAY_INVITE: Record<Actor, 'any' | string[]> = {
  admin: 'any',
  nrenA: [
    'nren-admin@A',
    'rao@A1',
    'rao@A2',
    'drao@A1-d1',
    'drao@A1-d2',
    'requester@A1-d1',
    'requester@A1-d2',
  ],
  raoA1: ['rao@A1', 'drao@A1-d1', 'drao@A1-d2', 'requester@A1-d1', 'requester@A1-d2'],
  draoA1d1: ['requester@A1-d1'],
  reqA1d1: [],
  reqA1d2: [],
  raoB1: ['rao@B1', 'drao@B1-d1', 'requester@B1-d1'],
};
// The places each role can be given at; 'platform' is the platform (scope id 0).
const INVITE_SCOPES: Record<Role, string[]> = {
  'platform-admin': ['platform'],
  'nren-admin': [...NRENS, UNKNOWN],
  rao: [...ORGANISATIONS, UNKNOWN],
  drao: [...DEPARTMENTS, UNKNOWN],
  requester: [...DEPARTMENTS, UNKNOWN],
};

// ---------------------------------------------------------------------------------------------
// How to call each endpoint (mechanics, not rules).
// ---------------------------------------------------------------------------------------------

let t: TestApp;
let fx: AccessFixture;
let counter = 0;

type Kind = 'nren' | 'organisation' | 'department' | 'domain' | 'certificate';
const OBJECTS: Record<Kind, readonly string[]> = {
  nren: NRENS,
  organisation: ORGANISATIONS,
  department: DEPARTMENTS,
  domain: DOMAINS,
  certificate: CERTS,
};
const VIEW: Record<Kind, (id: number) => string> = {
  nren: (id) => `/nrens/${id}`,
  organisation: (id) => `/organisations/${id}`,
  department: (id) => `/departments/${id}`,
  domain: (id) => `/domains/${id}`,
  certificate: (id) => `/certificates/${id}`,
};

interface Target {
  key: string;
  id: number;
}

function idOf(key: string): number {
  return key === UNKNOWN ? UNKNOWN_ID : fx.ids[key];
}

async function adminGet(path: string): Promise<Reply> {
  const res = await fx.call('admin', 'get', path);
  if (res.status !== 200) {
    throw new Error(`admin GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res;
}

// The object's current version, read as the platform admin right before a mutation.
async function versionOf(kind: Kind, id: number): Promise<number> {
  return id === UNKNOWN_ID
    ? 0
    : ((await adminGet(VIEW[kind](id))).body as { version: number }).version;
}

type Denial = { status: 404 } | { status: 422; field: string };
interface Call {
  path: string;
  body?: object;
}
interface Problem {
  code: string;
  errors: { field: string }[];
}
type Named = { name: string }[];

interface Endpoint {
  route: Route;
  kind: Kind;
  denied: Denial;
  // Path and a valid body for this target; n is unique per case.
  build(target: Target, n: number): Call | Promise<Call>;
  // A denied call must not have changed the object (its version) ...
  mutates?: boolean;
  // ... nor created what it asked for.
  createdBy?(target: Target, n: number): Promise<boolean>;
  verify?(res: Reply, target: Target, n: number): void;
}

function pathOf(route: string, id: number): string {
  return route.split(' ')[1].replace(':id', String(id));
}

const simple = (route: Route, kind: Kind): Endpoint => ({
  route,
  kind,
  denied: { status: 404 },
  build: (target) => ({ path: pathOf(route, target.id) }),
});

const ENDPOINTS: Endpoint[] = [
  simple('GET /nrens/:id', 'nren'),
  {
    route: 'PATCH /nrens/:id',
    kind: 'nren',
    denied: { status: 404 },
    mutates: true,
    build: async (target, n) => ({
      path: `/nrens/${target.id}`,
      body: { caCustomerId: `C-${n}`, version: await versionOf('nren', target.id) },
    }),
    verify: (res, _t, n) => expect(res.body.caCustomerId).toBe(`C-${n}`),
  },
  {
    route: 'POST /organisations',
    kind: 'nren',
    denied: { status: 422, field: 'nrenId' },
    build: (target, n) => ({
      path: '/organisations',
      body: {
        nrenId: target.id,
        name: `New organisation ${n}`,
        streetAddress: '1 Campus Road',
        locality: 'Utrecht',
        country: 'NL',
        certificateContacts: [],
        allowedProducts: ['OV_SSL'],
      },
    }),
    createdBy: async (_t, n) =>
      (await adminGet(`/organisations?q=${encodeURIComponent(`New organisation ${n}`)}`)).body
        .total > 0,
  },
  simple('GET /organisations/:id', 'organisation'),
  {
    route: 'PATCH /organisations/:id',
    kind: 'organisation',
    denied: { status: 404 },
    mutates: true,
    build: async (target, n) => ({
      path: `/organisations/${target.id}`,
      body: { registrationNumber: `R-${n}`, version: await versionOf('organisation', target.id) },
    }),
    verify: (res, _t, n) => expect(res.body.registrationNumber).toBe(`R-${n}`),
  },
  {
    route: 'POST /organisations/:id/identity-validation',
    kind: 'organisation',
    denied: { status: 404 },
    mutates: true,
    build: async (target) => ({
      path: `/organisations/${target.id}/identity-validation`,
      body: { version: await versionOf('organisation', target.id) },
    }),
    verify: (res) => expect(res.body.identity.current).toBe(true),
  },
  {
    route: 'POST /organisations/:id/departments',
    kind: 'organisation',
    denied: { status: 404 },
    build: (target, n) => ({
      path: `/organisations/${target.id}/departments`,
      body: { name: `Department ${n}` },
    }),
    createdBy: async (target, n) =>
      target.id !== UNKNOWN_ID &&
      ((await adminGet(`/organisations/${target.id}/departments`)).body as Named).some(
        (d) => d.name === `Department ${n}`,
      ),
  },
  simple('GET /departments/:id', 'department'),
  {
    route: 'PATCH /departments/:id',
    kind: 'department',
    denied: { status: 404 },
    mutates: true,
    build: async (target) => ({
      path: `/departments/${target.id}`,
      body: { name: target.key, version: await versionOf('department', target.id) },
    }),
  },
  // Switched off (as they are), so the request cases are not affected; the access is the same.
  {
    route: 'PUT /organisations/:id/self-approval',
    kind: 'organisation',
    denied: { status: 404 },
    mutates: true,
    build: async (target) => ({
      path: `/organisations/${target.id}/self-approval`,
      body: { enabled: false, version: await versionOf('organisation', target.id) },
    }),
    verify: (res) => expect(res.body.selfApprovalAllowed).toBe(false),
  },
  {
    route: 'PUT /departments/:id/auto-approval',
    kind: 'department',
    denied: { status: 404 },
    mutates: true,
    build: async (target) => ({
      path: `/departments/${target.id}/auto-approval`,
      body: { enabled: false, version: await versionOf('department', target.id) },
    }),
    verify: (res) => expect(res.body.autoApprove).toBe(false),
  },
  {
    route: 'POST /organisations/:id/domains',
    kind: 'organisation',
    denied: { status: 404 },
    build: (target, n) => ({
      path: `/organisations/${target.id}/domains`,
      body: { name: `r${n}-${target.key.toLowerCase()}.example.org`, wildcardsAllowed: false },
    }),
    createdBy: async (target, n) =>
      target.id !== UNKNOWN_ID &&
      (await adminGet(`/organisations/${target.id}/domains?q=r${n}-`)).body.total > 0,
  },
  simple('GET /domains/:id', 'domain'),
  {
    route: 'PATCH /domains/:id',
    kind: 'domain',
    denied: { status: 404 },
    mutates: true,
    build: async (target, n) => ({
      path: `/domains/${target.id}`,
      body: { wildcardsAllowed: n % 2 === 0, version: await versionOf('domain', target.id) },
    }),
    verify: (res, _t, n) => expect(res.body.wildcardsAllowed).toBe(n % 2 === 0),
  },
  {
    route: 'POST /domains/:id/check',
    kind: 'domain',
    denied: { status: 404 },
    mutates: true,
    build: (target) => ({
      path: `/domains/${target.id}/check`,
      body: { method: 'dns-txt' },
    }),
    // Nothing answers DNS in the test: the check runs and fails, which is all we need.
    verify: (res) => expect(res.body.outcome.ok).toBe(false),
  },
  {
    route: 'POST /domains/:id/validation-email',
    kind: 'domain',
    denied: { status: 404 },
    mutates: true,
    build: (target) => ({
      path: `/domains/${target.id}/validation-email`,
      body: { localPart: 'hostmaster' },
    }),
    verify: (res, target) => expect(res.body.sentTo).toBe(`hostmaster@${target.key}`),
  },
  {
    route: 'POST /domains/:id/manual-validation',
    kind: 'domain',
    denied: { status: 404 },
    mutates: true,
    build: async (target) => ({
      path: `/domains/${target.id}/manual-validation`,
      body: { note: 'checked', version: await versionOf('domain', target.id) },
    }),
    verify: (res) => expect(res.body.status).toBe('validated'),
  },
  simple('GET /people?organisationId=:id', 'organisation'),
  simple('GET /people?departmentId=:id', 'department'),
  simple('GET /certificates/:id', 'certificate'),
  simple('GET /certificates/:id/pem', 'certificate'),
  simple('GET /certificates/:id/chain', 'certificate'),
  simple('GET /certificates/:id/fullchain', 'certificate'),
  simple('GET /certificates/:id/p7b', 'certificate'),
  simple('GET /certificates/:id/der', 'certificate'),
  simple('GET /certificates/:id/reminders', 'certificate'),
  {
    route: 'POST /certificates/import {departmentId}',
    kind: 'department',
    denied: { status: 404 },
    // A server at a reserved address (TEST-NET-1): refused without a connection, answered.
    build: (target) => ({
      path: '/certificates/import',
      body: { departmentId: target.id, hosts: '192.0.2.1' },
    }),
    verify: (res) =>
      expect((res.body as { items: { code: string }[] }).items[0].code).toBe('import_host_private'),
  },
  simple('GET /certificates?nrenId=:id', 'nren'),
  simple('GET /certificates?organisationId=:id', 'organisation'),
  simple('GET /certificates?departmentId=:id', 'department'),
];

// ---------------------------------------------------------------------------------------------
// The cases.
// ---------------------------------------------------------------------------------------------

interface Case {
  name: string;
  run(): Promise<void>;
}

function expect2xx(res: Reply, what: string): void {
  if (res.status < 200 || res.status > 299) {
    throw new Error(`${what}: expected 2xx, got ${res.status} ${JSON.stringify(res.body)}`);
  }
}

// A denied call answers exactly like the same call on an object that does not exist.
function expectLikeUnknown(res: Reply, unknown: Reply, denial: Denial): void {
  expect(unknown.status).toBe(denial.status);
  if (denial.status === 404) {
    expect((unknown.body as Problem).code).toBe('not_found');
  } else {
    expect((unknown.body as Problem).errors.map((e) => e.field)).toEqual([denial.field]);
  }
  expect(res).toEqual(unknown);
}

function denialLabel(d: Denial): string {
  return d.status === 404 ? '404' : `422 ${d.field}`;
}

function label(route: string, key: string): string {
  // POST /organisations names its NREN in the body.
  if (route === 'POST /organisations') {
    return `${route} {nrenId: ${key}}`;
  }
  return route.replace(':id', key).replace('{departmentId}', `{departmentId: ${key}}`);
}

function objectCases(ep: Endpoint): Case[] {
  const may: Allowed = MAY[ep.route];
  const [method] = ep.route.split(' ') as ['GET' | 'POST' | 'PATCH' | 'PUT'];
  const verb = method.toLowerCase() as 'get' | 'post' | 'patch' | 'put';
  return ACTORS.flatMap((actor) =>
    [...OBJECTS[ep.kind], UNKNOWN].map((key): Case => {
      const allowed = key !== UNKNOWN && (may[actor] ?? []).includes(key);
      return {
        name: `${ACTOR_LABEL[actor]} ${label(ep.route, key)} -> ${allowed ? '2xx' : denialLabel(ep.denied)}`,
        async run() {
          const target = { key, id: idOf(key) };
          const n = ++counter;
          const before =
            ep.mutates && key !== UNKNOWN ? await adminGet(VIEW[ep.kind](target.id)) : undefined;
          const { path, body } = await ep.build(target, n);
          const res = await fx.call(actor, verb, path, body);
          if (allowed) {
            expect2xx(res, `${method} ${path}`);
            ep.verify?.(res, target, n);
            return;
          }
          const ref = await ep.build({ key: UNKNOWN, id: UNKNOWN_ID }, n);
          expectLikeUnknown(res, await fx.call(actor, verb, ref.path, ref.body), ep.denied);
          if (before) {
            const after = await adminGet(VIEW[ep.kind](target.id));
            expect(after.body.version).toBe(before.body.version);
          }
          if (ep.createdBy) {
            expect(await ep.createdBy(target, n)).toBe(false);
          }
        },
      };
    }),
  );
}

function nrenCreateCases(): Case[] {
  return ACTORS.map((actor): Case => {
    const allowed = actor === 'admin';
    return {
      name: `${ACTOR_LABEL[actor]} POST /nrens -> ${allowed ? '2xx' : '404'}`,
      async run() {
        const name = `NREN-${++counter}`;
        const res = await fx.call(actor, 'post', '/nrens', {
          name,
          country: 'SE',
          contactEmail: 'ops@nren.example.org',
          defaultLanguage: 'en',
          caProductIds: {},
        });
        if (allowed) {
          expect2xx(res, 'POST /nrens');
          expect(res.body.name).toBe(name);
          return;
        }
        expectLikeUnknown(res, await fx.call(actor, 'get', `/nrens/${UNKNOWN_ID}`), {
          status: 404,
        });
        expect((await adminGet(`/nrens?q=${name}`)).body.total).toBe(0);
      },
    };
  });
}

function listCases(what: 'departments' | 'domains'): Case[] {
  const fixture = what === 'departments' ? FIXTURE_DEPARTMENTS : FIXTURE_DOMAINS;
  const namesOf = (res: Reply): string[] =>
    ((what === 'departments' ? res.body : res.body.items) as Named).map((x) => x.name).sort();
  return ACTORS.flatMap((actor) =>
    [...ORGANISATIONS, UNKNOWN].map((org): Case => {
      const sees = SEES[what][actor]?.[org];
      const shown =
        sees === undefined ? '404' : sees === 'all' ? '200 all' : `200 [${sees.join(', ')}]`;
      return {
        name: `${ACTOR_LABEL[actor]} GET /organisations/${org}/${what} -> ${shown}`,
        async run() {
          const path = (id: number) => `/organisations/${id}/${what}`;
          const res = await fx.call(actor, 'get', path(idOf(org)));
          if (sees === undefined) {
            expectLikeUnknown(res, await fx.call(actor, 'get', path(UNKNOWN_ID)), { status: 404 });
            return;
          }
          expect(res.status).toBe(200);
          if (sees === 'all') {
            const everything = namesOf(await adminGet(path(idOf(org))));
            expect(namesOf(res)).toEqual(everything);
            expect(everything).toEqual(expect.arrayContaining(fixture[org]));
          } else {
            expect(namesOf(res)).toEqual([...sees].sort());
          }
        },
      };
    }),
  );
}

function invitationCases(): Case[] {
  const roles = Object.keys(INVITE_SCOPES) as Role[];
  return ACTORS.flatMap((actor) =>
    roles.flatMap((role) =>
      INVITE_SCOPES[role].map((scope): Case => {
        const may = MAY_INVITE[actor];
        const allowed = scope !== UNKNOWN && (may === 'any' || may.includes(`${role}@${scope}`));
        return {
          name: `${ACTOR_LABEL[actor]} POST /invitations ${role}@${scope} -> ${allowed ? '2xx' : '422 role'}`,
          async run() {
            const email = `invitee-${++counter}@example.org`;
            const scopeId = scope === 'platform' ? 0 : idOf(scope);
            const res = await fx.call(actor, 'post', '/invitations', { email, role, scopeId });
            if (allowed) {
              expect2xx(res, 'POST /invitations');
              expect(res.body).toMatchObject({ email, role, scopeId });
              return;
            }
            const unknown = await fx.call(actor, 'post', '/invitations', {
              email,
              role,
              scopeId: UNKNOWN_ID,
            });
            expectLikeUnknown(res, unknown, { status: 422, field: 'role' });
            const stored = await t.get(Transactions).manager.countBy(Invitation, { email });
            expect(stored).toBe(0);
          },
        };
      }),
    ),
  );
}

// The list without a scope shows each person exactly the certificates they may see.
function certificateListCases(): Case[] {
  return ACTORS.map((actor): Case => {
    const sees = [...(CERT_VIEWERS[actor] ?? [])].sort();
    return {
      name: `${ACTOR_LABEL[actor]} GET /certificates -> [${sees.join(', ')}]`,
      async run() {
        const res = await fx.call(actor, 'get', '/certificates');
        expect(res.status).toBe(200);
        const items = res.body.items as { id: number; departmentId: number }[];
        const seeded = new Set(CERTS.map(idOf));
        const shown = items.map((c) => c.id).filter((id) => seeded.has(id));
        expect(shown.sort((a, b) => a - b)).toEqual(sees.map(idOf).sort((a, b) => a - b));
        // The certificates of the pipeline cases too: only of departments the actor sees.
        const departments = new Set((SEES_DEPARTMENT[actor] ?? []).map(idOf));
        expect(items.filter((c) => !departments.has(c.departmentId))).toEqual([]);
      },
    };
  });
}

// The audit search (GET /audit-events): platform administrators find every organisation's
// events, an NREN administrator those of their NREN's organisations and nothing of another
// NREN's; everyone else finds no such endpoint.
const AUDIT_SEARCHERS: Allowed = { admin: ALL_ORGS, nrenA: ['A1', 'A2'] };

function auditSearchCases(): Case[] {
  return ACTORS.flatMap((actor) =>
    [...ORGANISATIONS, UNKNOWN].map((org): Case => {
      const searches = AUDIT_SEARCHERS[actor] !== undefined;
      const finds = org !== UNKNOWN && (AUDIT_SEARCHERS[actor] ?? []).includes(org);
      const shown = !searches ? '404' : finds ? '200 its events' : '200 none';
      return {
        name: `${ACTOR_LABEL[actor]} GET /audit-events?objectType=organisation&objectId=${org} -> ${shown}`,
        async run() {
          const path = (id: number) => `/audit-events?objectType=organisation&objectId=${id}`;
          const res = await fx.call(actor, 'get', path(idOf(org)));
          if (!searches) {
            expectLikeUnknown(res, await fx.call(actor, 'get', `/nrens/${UNKNOWN_ID}`), {
              status: 404,
            });
            return;
          }
          expect(res.status).toBe(200);
          const actions = (res.body.items as { action: string; subjectId: string }[]).map(
            (e) => `${e.action} ${e.subjectId}`,
          );
          if (finds) {
            expect(actions).toContain(`organisation.created ${idOf(org)}`);
          } else {
            expect(actions).toEqual([]);
          }
        },
      };
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Certificate requests.
// ---------------------------------------------------------------------------------------------

// A CSR per department, for a name under the domain delegated to it (separate keys: the same
// key in two organisations would be refused).
const REQUEST_NAME: Record<string, string> = {
  'A1-d1': 'www.a1.example.org',
  'A1-d2': 'www.a1-d2.example.org',
  'B1-d1': 'www.b1.example.net',
};
const csrs: Record<string, string> = {};
const fixtureRequests: Partial<Record<RequestKey, number>> = {};

async function newRequest(key: RequestKey): Promise<{ id: number; version: number }> {
  const [department, owner] = key.split('/') as [string, Actor];
  return submitRequest(t, fx.tokens[owner], fx.ids[department], csrs[department]);
}

function requestCases(): Case[] {
  const view = ACTORS.flatMap((actor) =>
    [...REQUESTS, UNKNOWN].map((key): Case => {
      const allowed = key !== UNKNOWN && (SEES_REQUESTS[actor] ?? []).includes(key);
      const actions = key === UNKNOWN ? [] : expectedActions(actor, key);
      return {
        name: `${ACTOR_LABEL[actor]} GET /requests/${key} -> ${allowed ? `200 actions [${actions.join(', ')}]` : '404'}`,
        async run() {
          const id = key === UNKNOWN ? UNKNOWN_ID : fixtureRequests[key as RequestKey]!;
          const res = await fx.call(actor, 'get', `/requests/${id}`);
          if (!allowed) {
            expectLikeUnknown(res, await fx.call(actor, 'get', `/requests/${UNKNOWN_ID}`), {
              status: 404,
            });
            return;
          }
          expect(res.status).toBe(200);
          expect(res.body).toMatchObject({ id, status: 'submitted' });
          expect(res.body.actions).toEqual(actions);
        },
      };
    }),
  );
  const list = ACTORS.flatMap((actor) =>
    [...DEPARTMENTS, UNKNOWN].map((department): Case => {
      const sees = (SEES_REQUESTS[actor] ?? []).filter((k) => k.startsWith(`${department}/`));
      return {
        name: `${ACTOR_LABEL[actor]} GET /requests?departmentId=${department} -> [${sees.join(', ')}]`,
        async run() {
          const res = await fx.call(actor, 'get', `/requests?departmentId=${idOf(department)}`);
          expect(res.status).toBe(200);
          const items = res.body.items as { id: number; department: { id: number } }[];
          expect(items.every((r) => r.department.id === idOf(department))).toBe(true);
          const fixture = new Map(REQUESTS.map((k) => [fixtureRequests[k], k]));
          const seen = items.flatMap((r) => fixture.get(r.id) ?? []);
          expect(seen.sort()).toEqual([...sees].sort());
          if (sees.length === 0) {
            expect(res.body.total).toBe(0);
          }
        },
      };
    }),
  );
  const cancel = ACTORS.flatMap((actor) =>
    [...REQUESTS, UNKNOWN].map((key): Case => {
      const allowed = key !== UNKNOWN && (MAY_CANCEL[actor] ?? []).includes(key);
      const visible = key !== UNKNOWN && (SEES_REQUESTS[actor] ?? []).includes(key);
      const outcome = allowed ? '2xx' : visible ? '403' : '404';
      return {
        name: `${ACTOR_LABEL[actor]} POST /requests/${key}/cancel -> ${outcome}`,
        async run() {
          const target =
            key === UNKNOWN ? { id: UNKNOWN_ID, version: 1 } : await newRequest(key as RequestKey);
          const path = (id: number) => `/requests/${id}/cancel`;
          const res = await fx.call(actor, 'post', path(target.id), { version: target.version });
          if (allowed) {
            expect2xx(res, `POST ${path(target.id)}`);
            expect(res.body).toMatchObject({ status: 'cancelled', actions: [] });
            return;
          }
          if (visible) {
            expect(res.status).toBe(403);
            expect(res.body.code).toBe('request_action_forbidden');
          } else {
            const unknown = await fx.call(actor, 'post', path(UNKNOWN_ID), {
              version: target.version,
            });
            expectLikeUnknown(res, unknown, { status: 404 });
          }
          if (key !== UNKNOWN) {
            const after = await adminGet(`/requests/${target.id}`);
            expect(after.body).toMatchObject({ status: 'submitted', version: target.version });
          }
        },
      };
    }),
  );
  const create = ACTORS.flatMap((actor) =>
    [...DEPARTMENTS, UNKNOWN].map((department): Case => {
      const allowed = department !== UNKNOWN && (MAY_REQUEST_IN[actor] ?? []).includes(department);
      return {
        name: `${ACTOR_LABEL[actor]} POST /requests {departmentId: ${department}} -> ${allowed ? '2xx' : '422 departmentId'}`,
        async run() {
          const csr = csrs[department] ?? csrs['A1-d1'];
          const body = (id: number) => ({ departmentId: id, product: 'OV_SSL', csr });
          const count = async () =>
            department === UNKNOWN
              ? 0
              : (await adminGet(`/requests?departmentId=${idOf(department)}`)).body.total;
          const before = await count();
          const res = await fx.call(actor, 'post', '/requests', body(idOf(department)));
          if (allowed) {
            expect2xx(res, 'POST /requests');
            // Those who decide there may reject their own request, never approve it.
            const decides =
              (ORG_LEVEL_DEPTS[actor] ?? []).includes(department) ||
              (actor === 'draoA1d1' && department === 'A1-d1');
            expect(res.body).toMatchObject({
              status: 'submitted',
              actions: decides ? ['reject', 'cancel'] : ['cancel'],
            });
            expect(res.body.department.id).toBe(idOf(department));
            return;
          }
          const unknown = await fx.call(actor, 'post', '/requests', body(UNKNOWN_ID));
          expectLikeUnknown(res, unknown, { status: 422, field: 'departmentId' });
          expect(await count()).toBe(before);
        },
      };
    }),
  );
  const decide = (['approve', 'reject'] as const).flatMap((action) =>
    ACTORS.flatMap((actor) =>
      [...REQUESTS, UNKNOWN].map((key): Case => {
        const allowed = mayDecide(actor, key, action);
        const visible = key !== UNKNOWN && (SEES_REQUESTS[actor] ?? []).includes(key);
        const outcome = allowed ? '2xx' : visible ? '403' : '404';
        const to = action === 'approve' ? 'approved' : 'rejected';
        return {
          name: `${ACTOR_LABEL[actor]} POST /requests/${key}/${action} -> ${outcome}`,
          async run() {
            const target =
              key === UNKNOWN
                ? { id: UNKNOWN_ID, version: 1 }
                : await newRequest(key as RequestKey);
            const path = (id: number) => `/requests/${id}/${action}`;
            const body = { version: target.version, reason: 'matrix' };
            const res = await fx.call(actor, 'post', path(target.id), body);
            if (allowed) {
              expect2xx(res, `POST ${path(target.id)}`);
              expect(res.body).toMatchObject({ status: to });
              return;
            }
            if (visible) {
              expect(res.status).toBe(403);
              expect(res.body.code).toBe('request_action_forbidden');
            } else {
              const unknown = await fx.call(actor, 'post', path(UNKNOWN_ID), body);
              expectLikeUnknown(res, unknown, { status: 404 });
            }
            if (key !== UNKNOWN) {
              const after = await adminGet(`/requests/${target.id}`);
              expect(after.body).toMatchObject({ status: 'submitted', version: target.version });
            }
          },
        };
      }),
    ),
  );
  return [...view, ...list, ...cancel, ...decide, ...create];
}

// Resetting someone's second factor: the platform administrator anyone's, an NREN
// administrator that of people whose roles all lie in their NREN; nobody their own.
const RESETS_SECOND_FACTOR_OF: Record<Actor, Actor[]> = {
  admin: ['nrenA', 'raoA1', 'draoA1d1', 'reqA1d1', 'reqA1d2', 'raoB1'],
  nrenA: ['raoA1', 'draoA1d1', 'reqA1d1', 'reqA1d2'],
  raoA1: [],
  draoA1d1: [],
  reqA1d1: [],
  reqA1d2: [],
  raoB1: [],
};

function secondFactorCases(): Case[] {
  return ACTORS.flatMap((actor) =>
    [...ACTORS, UNKNOWN].map((target): Case => {
      const allowed =
        target !== UNKNOWN && RESETS_SECOND_FACTOR_OF[actor].includes(target as Actor);
      const path = (id: number) => `/people/${id}/second-factor/reset`;
      return {
        name: `${ACTOR_LABEL[actor]} POST /people/${target}/second-factor/reset -> ${allowed ? '200' : '404'}`,
        async run() {
          const id = target === UNKNOWN ? UNKNOWN_ID : fx.ids[`user:${target}`];
          const res = await fx.call(actor, 'post', path(id), {});
          if (allowed) {
            expect([res.status, res.body]).toEqual([200, { userId: id, reset: false }]);
            return;
          }
          expectLikeUnknown(res, await fx.call(actor, 'post', path(UNKNOWN_ID), {}), {
            status: 404,
          });
        },
      };
    }),
  );
}

// Revocation requests: those who hold a certificate (its department's people) ask; those who
// decide on its requests (NREN, RAO, DRAO) refuse or approve. Someone who sees the certificate
// but is on the other side gets 403; anyone else 404, like an unknown certificate.
const MAY_ASK: Allowed = {
  admin: CERTS,
  draoA1d1: ['cert@A1-d1'],
  reqA1d1: ['cert@A1-d1'],
  reqA1d2: ['cert@A1-d2'],
};
const MAY_DECIDE_REVOCATION: Allowed = {
  admin: CERTS,
  nrenA: ['cert@A1-d1', 'cert@A1-d2'],
  raoA1: ['cert@A1-d1', 'cert@A1-d2'],
  draoA1d1: ['cert@A1-d1'],
  raoB1: ['cert@B1-d1'],
};

function revocationRequestCases(): Case[] {
  const openCount = async (certificateId: number) =>
    (await adminGet('/revocation-requests')).body.items.filter(
      (r: { certificateId: number }) => r.certificateId === certificateId,
    ).length;
  // Closes whatever is open on the certificate, so each case starts from none.
  const close = async (certificateId: number) => {
    for (const r of (await adminGet('/revocation-requests')).body.items as {
      id: number;
      certificateId: number;
    }[]) {
      if (r.certificateId === certificateId) {
        expect2xx(
          await fx.call('admin', 'post', `/revocation-requests/${r.id}/refuse`, {
            reason: 'reset',
          }),
          'refuse',
        );
      }
    }
  };
  const askBody = { reason: 'cessationOfOperation', explanation: 'matrix' };
  const ask = ACTORS.flatMap((actor) =>
    [...CERTS, UNKNOWN].map((key): Case => {
      const allowed = key !== UNKNOWN && (MAY_ASK[actor] ?? []).includes(key);
      const visible = key !== UNKNOWN && (CERT_VIEWERS[actor] ?? []).includes(key);
      const outcome = allowed ? '2xx' : visible ? '403' : '404';
      return {
        name: `${ACTOR_LABEL[actor]} POST /certificates/${key}/revocation-requests -> ${outcome}`,
        async run() {
          const id = idOf(key);
          const path = (n: number) => `/certificates/${n}/revocation-requests`;
          const res = await fx.call(actor, 'post', path(id), askBody);
          try {
            if (allowed) {
              expect2xx(res, `POST ${path(id)}`);
              expect(res.body).toMatchObject({ certificateId: id, state: 'open' });
              return;
            }
            if (visible) {
              expect(res.status).toBe(403);
              expect(res.body.code).toBe('forbidden');
            } else {
              const unknown = await fx.call(actor, 'post', path(UNKNOWN_ID), askBody);
              expectLikeUnknown(res, unknown, { status: 404 });
            }
            if (key !== UNKNOWN) {
              expect(await openCount(id)).toBe(0);
            }
          } finally {
            if (key !== UNKNOWN) {
              await close(id);
            }
          }
        },
      };
    }),
  );
  const decide = (['refuse', 'approve'] as const).flatMap((action) =>
    ACTORS.flatMap((actor) =>
      [...CERTS, UNKNOWN].map((key): Case => {
        const allowed = key !== UNKNOWN && (MAY_DECIDE_REVOCATION[actor] ?? []).includes(key);
        const visible = key !== UNKNOWN && (CERT_VIEWERS[actor] ?? []).includes(key);
        const outcome = allowed
          ? action === 'approve'
            ? 'to the CA'
            : '2xx'
          : visible
            ? '403'
            : '404';
        return {
          name: `${ACTOR_LABEL[actor]} POST /revocation-requests/{open on ${key}}/${action} -> ${outcome}`,
          async run() {
            let requestId = UNKNOWN_ID;
            const certificateId = idOf(key);
            if (key !== UNKNOWN) {
              const asked = await fx.call(
                'admin',
                'post',
                `/certificates/${certificateId}/revocation-requests`,
                askBody,
              );
              expect2xx(asked, 'ask');
              requestId = asked.body.id;
            }
            const path = (n: number) => `/revocation-requests/${n}/${action}`;
            const body = action === 'refuse' ? { reason: 'matrix says no' } : undefined;
            try {
              const res = await fx.call(actor, 'post', path(requestId), body);
              if (allowed && action === 'refuse') {
                expect2xx(res, `POST ${path(requestId)}`);
                expect(res.body).toMatchObject({
                  state: 'refused',
                  refusalReason: 'matrix says no',
                });
                return;
              }
              if (allowed) {
                // Past the access check it goes to the CA, which does not know these seeded
                // (imported) certificates and refuses; the request stays open.
                expect(res.status).toBe(409);
                expect(res.body.code).toBe('ca_refused');
                expect(await openCount(certificateId)).toBe(1);
                return;
              }
              if (visible) {
                expect(res.status).toBe(403);
                expect(res.body.code).toBe('forbidden');
              } else {
                const unknown = await fx.call(actor, 'post', path(UNKNOWN_ID), body);
                expectLikeUnknown(res, unknown, { status: 404 });
              }
              if (key !== UNKNOWN) {
                expect(await openCount(certificateId)).toBe(1);
              }
            } finally {
              if (key !== UNKNOWN) {
                await close(certificateId);
              }
            }
          },
        };
      }),
    ),
  );
  return [...ask, ...decide];
}

// ---------------------------------------------------------------------------------------------
// The CA pipeline: reconciling orders of unknown outcome, revoking, renewing and replacing
// certificates. The objects are real: requests ordered from the simulated CA, dropped on the
// way back (needs-reconciliation) or collected (a certificate with a CA order behind it).
// ---------------------------------------------------------------------------------------------

// Whose requests each department's pipeline objects are (as in REQUESTS).
const PIPELINE_OWNER: Record<string, Actor> = {
  'A1-d1': 'reqA1d1',
  'A1-d2': 'reqA1d2',
  'B1-d1': 'raoB1',
};
// Settling an order of unknown outcome: the organisation's RAO and the NREN; a DRAO or a
// requester who sees the request is told no (403), others 404.
const MAY_RECONCILE: Allowed = {
  admin: DEPARTMENTS,
  nrenA: ['A1-d1', 'A1-d2'],
  raoA1: ['A1-d1', 'A1-d2'],
  raoB1: ['B1-d1'],
};
// Those who see a department's requests and certificates.
const SEES_DEPARTMENT: Allowed = {
  admin: DEPARTMENTS,
  nrenA: ['A1-d1', 'A1-d2'],
  raoA1: ['A1-d1', 'A1-d2'],
  draoA1d1: ['A1-d1'],
  reqA1d1: ['A1-d1'],
  reqA1d2: ['A1-d2'],
  raoB1: ['B1-d1'],
};
// Revoking: those who decide on requests there; a requester who sees the certificate: 403.
const MAY_REVOKE: Allowed = {
  admin: DEPARTMENTS,
  nrenA: ['A1-d1', 'A1-d2'],
  raoA1: ['A1-d1', 'A1-d2'],
  draoA1d1: ['A1-d1'],
  raoB1: ['B1-d1'],
};
// Renewing and replacing: whoever sees the certificate may ask for its successor.
const MAY_RENEW: Allowed = SEES_DEPARTMENT;

const ordered$ = () => t.get(OrderingService).run(t.clock.now());
const collected$ = () => t.get(CollectingService).run(t.clock.now());

async function approvedRequest(department: string): Promise<number> {
  const owner = PIPELINE_OWNER[department];
  const csr = csrFor([REQUEST_NAME[department]]);
  const { id } = await submitRequest(t, fx.tokens[owner], fx.ids[department], csr);
  await t.get(RequestLifecycle).transition(systemActing('test'), id, 'approve');
  return id;
}

// A request whose order reached the CA but whose answer was lost.
async function unsettled(department: string): Promise<{ id: number; version: number }> {
  const sim = t.get(CaConnection).simulator!;
  // Orders already due (approved or re-sent by other cases) go first, so that the dropped
  // answer is this one's.
  for (let round = 0; round < 20; round++) {
    const r = await ordered$();
    if (r.ordered + r.refused + r.retrying + r.unknown + r.abandoned === 0) {
      break;
    }
  }
  const id = await approvedRequest(department);
  sim.addFault('order', 'drop', 1);
  await ordered$();
  sim.clearFaults();
  const r = await t.get(Transactions).manager.findOneByOrFail(CertificateRequest, { id });
  expect(r.status).toBe('needs-reconciliation');
  return { id, version: r.version };
}

// A certificate ordered and collected through the simulated CA.
async function issued(department: string): Promise<number> {
  const requestId = await approvedRequest(department);
  for (let round = 0; round < 6; round++) {
    await ordered$();
    await collected$();
    const c = await t.get(Transactions).manager.findOneBy(Certificate, { requestId });
    if (c) {
      return c.id;
    }
    t.clock.advance(3600_000);
  }
  throw new Error(`request ${requestId} was not issued`);
}

async function requestState(id: number) {
  return t.get(Transactions).manager.findOneByOrFail(CertificateRequest, { id });
}

const sharedUnsettled: Record<string, { id: number; version: number }> = {};
const sharedIssued: Record<string, number> = {};

function pipelineCases(): Case[] {
  const outcomeOf = (actor: Actor, department: string, may: Allowed) =>
    department !== UNKNOWN && (may[actor] ?? []).includes(department)
      ? '2xx'
      : department !== UNKNOWN && (SEES_DEPARTMENT[actor] ?? []).includes(department)
        ? '403'
        : '404';
  const reconcile = (['order-number', 'resend'] as const).flatMap((step) =>
    ACTORS.flatMap((actor) =>
      [...DEPARTMENTS, UNKNOWN].map((department): Case => {
        const outcome = outcomeOf(actor, department, MAY_RECONCILE);
        return {
          name: `${ACTOR_LABEL[actor]} POST /reconciliation/${department === UNKNOWN ? UNKNOWN : `order@${department}`}/${step} -> ${outcome}`,
          async run() {
            // Allowed: a request of its own, as the step moves it on; refused: a shared one.
            const target =
              department === UNKNOWN
                ? { id: UNKNOWN_ID, version: 1 }
                : outcome === '2xx'
                  ? await unsettled(department)
                  : sharedUnsettled[department];
            const path = (id: number) => `/reconciliation/${id}/${step}`;
            const body = async (id: number) => ({
              version: target.version,
              reason: 'matrix',
              ...(step === 'order-number'
                ? {
                    orderNumber:
                      id === UNKNOWN_ID
                        ? '123456'
                        : (await t.get(CaConnection).simulator!.orderNumbersFor(String(id)))[0],
                  }
                : {}),
            });
            const res = await fx.call(actor, 'post', path(target.id), await body(target.id));
            if (outcome === '2xx') {
              expect2xx(res, `POST ${path(target.id)}`);
              expect(res.body).toMatchObject({
                requestId: target.id,
                status: step === 'order-number' ? 'ordered' : 'ordering',
              });
              return;
            }
            if (outcome === '403') {
              expect(res.status).toBe(403);
              expect(res.body.code).toBe('request_action_forbidden');
            } else {
              const unknown = await fx.call(
                actor,
                'post',
                path(UNKNOWN_ID),
                await body(UNKNOWN_ID),
              );
              expectLikeUnknown(res, unknown, { status: 404 });
            }
            if (department !== UNKNOWN) {
              expect(await requestState(target.id)).toMatchObject({
                status: 'needs-reconciliation',
                version: target.version,
              });
            }
          },
        };
      }),
    ),
  );
  const list = ACTORS.map((actor): Case => {
    const sees = [...(MAY_RECONCILE[actor] ?? [])].sort();
    return {
      name: `${ACTOR_LABEL[actor]} GET /reconciliation -> [${sees.join(', ')}]`,
      async run() {
        const res = await fx.call(actor, 'get', '/reconciliation');
        expect(res.status).toBe(200);
        const shown = new Set((res.body.items as { requestId: number }[]).map((i) => i.requestId));
        for (const department of DEPARTMENTS) {
          expect([department, shown.has(sharedUnsettled[department].id)]).toEqual([
            department,
            sees.includes(department),
          ]);
        }
      },
    };
  });
  const revoke = ACTORS.flatMap((actor) =>
    [...DEPARTMENTS, UNKNOWN].map((department): Case => {
      const outcome = outcomeOf(actor, department, MAY_REVOKE);
      return {
        name: `${ACTOR_LABEL[actor]} POST /certificates/${department === UNKNOWN ? UNKNOWN : `issued@${department}`}/revoke -> ${outcome}`,
        async run() {
          const id =
            department === UNKNOWN
              ? UNKNOWN_ID
              : outcome === '2xx'
                ? await issued(department)
                : sharedIssued[department];
          const path = (n: number) => `/certificates/${n}/revoke`;
          const body = { reason: 'cessationOfOperation' };
          const res = await fx.call(actor, 'post', path(id), body);
          if (outcome === '2xx') {
            expect2xx(res, `POST ${path(id)}`);
            expect(res.body).toMatchObject({ id, state: 'revoked' });
            return;
          }
          if (outcome === '403') {
            expect(res.status).toBe(403);
            expect(res.body.code).toBe('forbidden');
          } else {
            expectLikeUnknown(res, await fx.call(actor, 'post', path(UNKNOWN_ID), body), {
              status: 404,
            });
          }
          if (department !== UNKNOWN) {
            expect((await adminGet(`/certificates/${id}`)).body.state).toBe('valid');
          }
        },
      };
    }),
  );
  const renew = (['renew', 'replace'] as const).flatMap((how) =>
    ACTORS.flatMap((actor) =>
      [...DEPARTMENTS, UNKNOWN].map((department): Case => {
        const allowed = department !== UNKNOWN && (MAY_RENEW[actor] ?? []).includes(department);
        return {
          name: `${ACTOR_LABEL[actor]} POST /certificates/${department === UNKNOWN ? UNKNOWN : `issued@${department}`}/renew${how === 'replace' ? ' {replace}' : ''} -> ${allowed ? '2xx' : '404'}`,
          async run() {
            const id = department === UNKNOWN ? UNKNOWN_ID : sharedIssued[department];
            const path = (n: number) => `/certificates/${n}/renew`;
            const body = {
              csr: csrFor([REQUEST_NAME[department] ?? REQUEST_NAME['A1-d1']]),
              replace: how === 'replace',
            };
            const count = async () =>
              department === UNKNOWN
                ? 0
                : (await adminGet(`/requests?departmentId=${idOf(department)}`)).body.total;
            const before = await count();
            const res = await fx.call(actor, 'post', path(id), body);
            if (allowed) {
              expect2xx(res, `POST ${path(id)}`);
              expect(res.body).toMatchObject({
                status: 'submitted',
                replacesCertificateId: id,
                replacesHow: how,
              });
              return;
            }
            expectLikeUnknown(res, await fx.call(actor, 'post', path(UNKNOWN_ID), body), {
              status: 404,
            });
            expect(await count()).toBe(before);
          },
        };
      }),
    ),
  );
  return [...list, ...reconcile, ...revoke, ...renew];
}

const CASES: Case[] = [
  ...requestCases(),
  ...pipelineCases(),
  ...revocationRequestCases(),
  ...secondFactorCases(),
  ...nrenCreateCases(),
  ...ENDPOINTS.flatMap(objectCases),
  ...listCases('departments'),
  ...listCases('domains'),
  ...invitationCases(),
  ...certificateListCases(),
  ...auditSearchCases(),
];

describe('access matrix: every role against every directory, request, certificate and CA pipeline endpoint', () => {
  beforeAll(async () => {
    t = await createTestApp({ env: { DCV_DNS_SERVERS: '127.0.0.1:9', DCV_TIMEOUT: '0.3' } });
    fx = await buildAccessFixture(t);
    const pki = await createTestPki();
    for (const dept of DEPARTMENTS) {
      const name = `host.${dept.toLowerCase()}.example.org`;
      const cert = await seedCertificate(t, pki, fx.ids[dept], [name], t.clock.now());
      fx.ids[`cert@${dept}`] = cert.id;
    }
    for (const [department, name] of Object.entries(REQUEST_NAME)) {
      csrs[department] = csrFor([name]);
    }
    for (const key of REQUESTS) {
      fixtureRequests[key] = (await newRequest(key)).id;
    }
    for (const department of DEPARTMENTS) {
      sharedUnsettled[department] = await unsettled(department);
      sharedIssued[department] = await issued(department);
    }
  }, 120_000);
  afterAll(() => t?.close());

  it('has unique case names', () => {
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  for (const c of CASES) {
    // The pipeline cases order and collect through the simulated CA: give them time.
    it(c.name, () => c.run(), 90_000);
  }
});
