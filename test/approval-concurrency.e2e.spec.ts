import request from 'supertest';
import { AuditService } from '../src/audit/audit.service.js';
import { Transactions } from '../src/database/transactions.js';
import { RequestApproval } from '../src/requests/request-approval.entity.js';
import { DIALECT } from './support/databases.js';
import { Directory } from './support/directory.js';
import { csrFor, submitRequest, usableDomain } from './support/requests.js';
import { createTestApp, type TestApp } from './support/test-app.js';

type Person = { id: number; token: string };

// Many approvers on two app instances sharing one database, all deciding the same requests at
// once: each request ends with exactly one decision, and the losers are told how it ended.
describe(`simultaneous decisions on two instances (${DIALECT})`, () => {
  let one: TestApp;
  let two: TestApp;
  let dir: Directory;
  let dept: number;
  let requester: Person;
  let deciders: Person[];
  let productId: number;

  beforeAll(async () => {
    one = await createTestApp();
    two = await createTestApp({ db: one.db });
    dir = await new Directory(one).init();
    const nren = await dir.nren('RACE');
    const org = await dir.organisation(nren.id, 'Race University');
    dept = (await dir.department(org.id, 'Physics')).id;
    const domain = await dir.domain(org.id, 'race.example.org');
    await usableDomain(dir, domain.id, [dept]);
    requester = await dir.person('req@race.example.org', 'requester', dept);
    deciders = [
      await dir.person('rao1@race.example.org', 'rao', org.id),
      await dir.person('rao2@race.example.org', 'rao', org.id),
      await dir.person('drao@race.example.org', 'drao', dept),
      await dir.person('nren@race.example.org', 'nren-admin', nren.id),
    ];
    productId = ((await dir.api('get', '/products')).body as { id: number; code: string }[]).find(
      (p) => p.code === 'OV_SSL',
    )!.id;
  }, 60_000);
  afterAll(async () => {
    await two?.close();
    await one?.close();
  });

  const act = (app: TestApp, who: Person, id: number, action: string, version: number) =>
    request(app.server)
      .post(`/api/v1/requests/${id}/${action}`)
      .set('Authorization', `Bearer ${who.token}`)
      .send({ version, reason: 'race' });

  async function race(requests: number) {
    const subs = [];
    for (let i = 0; i < requests; i++) {
      subs.push(
        await submitRequest(one, requester.token, dept, csrFor([`r${i}.race.example.org`])),
      );
    }
    const calls = subs.flatMap((r, i) =>
      deciders.map((who, j) =>
        act(j % 2 ? two : one, who, r.id, (i + j) % 3 === 0 ? 'reject' : 'approve', r.version),
      ),
    );
    const replies = await Promise.all(calls);
    return { subs, replies };
  }

  it('one decision per request; every other caller gets 409 saying how it ended', async () => {
    const { subs, replies } = await race(8);
    for (const [i, r] of subs.entries()) {
      const mine = replies.slice(i * deciders.length, (i + 1) * deciders.length);
      const wins = mine.filter((res) => res.status === 200);
      expect(wins).toHaveLength(1);
      const final = wins[0].body.status as string;
      for (const lost of mine.filter((res) => res.status !== 200)) {
        expect(lost.status).toBe(409);
        expect(['request_changed', `request_already_${final}`]).toContain(lost.body.code);
      }
      const trail = await one.get(AuditService).history('request', r.id);
      expect(trail.filter((e) => e.action !== 'request.submitted')).toHaveLength(1);
      const approvals = await one
        .get(Transactions)
        .manager.countBy(RequestApproval, { requestId: r.id });
      expect(approvals).toBe(final === 'approved' ? 1 : 0);
    }
    expect(await one.get(AuditService).verify()).toMatchObject({ ok: true });
  });

  it('with two approvals needed, the same person approving twice at once counts once', async () => {
    const { version } = (await dir.api('get', '/products')).body.find(
      (p: { id: number }) => p.id === productId,
    );
    await dir.api('patch', `/products/${productId}`, { approvalsRequired: 2, version });
    try {
      const r = await submitRequest(one, requester.token, dept, csrFor(['twice.race.example.org']));
      const replies = await Promise.all([
        act(one, deciders[0], r.id, 'approve', r.version),
        act(two, deciders[0], r.id, 'approve', r.version),
        act(two, deciders[0], r.id, 'approve', r.version),
      ]);
      expect(replies.map((x) => x.status).sort()).toEqual([200, 409, 409]);
      const count = await one
        .get(Transactions)
        .manager.countBy(RequestApproval, { requestId: r.id });
      expect(count).toBe(1);
      const now = (await dir.api('get', `/requests/${r.id}`)).body;
      expect(now.status).toBe('submitted');
      const last = await act(two, deciders[1], r.id, 'approve', now.version);
      expect(last.body.status).toBe('approved');
    } finally {
      const current = (await dir.api('get', '/products')).body.find(
        (p: { id: number }) => p.id === productId,
      );
      await dir.api('patch', `/products/${productId}`, {
        approvalsRequired: 1,
        version: current.version,
      });
    }
  });
});
