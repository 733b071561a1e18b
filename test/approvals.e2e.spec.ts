import request from 'supertest';
import { ApprovalDigestJob } from '../src/approvals/approval-digest.job.js';
import { RequestExpiryJob } from '../src/approvals/request-expiry.job.js';
import { AuditService } from '../src/audit/audit.service.js';
import { MailMessage } from '../src/mail/mail-message.entity.js';
import { Transactions } from '../src/database/transactions.js';
import { CertificateRequest } from '../src/requests/certificate-request.entity.js';
import { DIALECT } from './support/databases.js';
import { Directory } from './support/directory.js';
import { DAY, HOUR, MINUTE } from './support/fake-clock.js';
import { csrFor, submitRequest, usableDomain } from './support/requests.js';
import { createTestApp, type TestApp } from './support/test-app.js';

type Person = { id: number; token: string };

describe(`approval rules on ${DIALECT}`, () => {
  let t: TestApp;
  let dir: Directory;
  let nrenAdmin: Person;
  let orgId: number;
  let physics: number;
  let chemistry: number;
  let requester: Person;
  let rao: Person;
  let rao2: Person;
  let draoChem: Person;
  let productId: number;

  beforeAll(async () => {
    t = await createTestApp();
    dir = await new Directory(t).init();
    const nren = await dir.nren('APPR');
    nrenAdmin = await dir.person('admin@appr.example', 'nren-admin', nren.id);
    const org = await dir.organisation(nren.id, 'Approval University');
    orgId = org.id;
    physics = (await dir.department(org.id, 'Physics')).id;
    chemistry = (await dir.department(org.id, 'Chemistry')).id;
    const domain = await dir.domain(org.id, 'appr.example.org');
    await usableDomain(dir, domain.id, [physics, chemistry]);
    requester = await dir.person('req@appr.example.org', 'requester', physics);
    rao = await dir.person('rao@appr.example.org', 'rao', org.id);
    rao2 = await dir.person('rao2@appr.example.org', 'rao', org.id);
    draoChem = await dir.person('drao@appr.example.org', 'drao', chemistry);
    productId = ((await dir.api('get', '/products')).body as { id: number; code: string }[]).find(
      (p) => p.code === 'OV_SSL',
    )!.id;
  }, 60_000);
  afterAll(() => t?.close());

  const api = (method: 'get' | 'post' | 'put', path: string, who: Person, body?: object) => {
    const req = request(t.server)
      [method](`/api/v1${path}`)
      .set('Authorization', `Bearer ${who.token}`);
    return body ? req.send(body) : req;
  };
  const submit = (who = requester, dept = physics) =>
    submitRequest(
      t,
      who.token,
      dept,
      csrFor([`www${Math.random().toString(36).slice(2, 8)}.appr.example.org`]),
    );
  const row = (id: number) =>
    t.get(Transactions).manager.findOneByOrFail(CertificateRequest, { id });
  const events = async (id: number) => (await t.get(AuditService).history('request', id)).reverse();
  const setApprovals = async (n: number) => {
    const { version } = (await dir.api('get', '/products')).body.find(
      (p: { id: number }) => p.id === productId,
    );
    const res = await dir.api('patch', `/products/${productId}`, { approvalsRequired: n, version });
    expect([res.status, res.body]).toEqual([
      200,
      expect.objectContaining({ approvalsRequired: n }),
    ]);
  };

  it('an RAO approves; the requester sees it approved and the trail says who', async () => {
    const r = await submit();
    expect(r.actions).toEqual(['cancel']);
    const seen = await api('get', `/requests/${r.id}`, rao);
    expect(seen.body.actions).toEqual(['approve', 'reject', 'cancel']);
    const res = await api('post', `/requests/${r.id}/approve`, rao, { version: r.version });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'approved', actions: ['cancel'] });
    expect(res.body.approvals).toEqual([
      expect.objectContaining({ personId: rao.id, person: 'rao@appr.example.org' }),
    ]);
    const mine = await api('get', `/requests/${r.id}`, requester);
    expect(mine.body.status).toBe('approved');
    const last = (await events(r.id)).at(-1)!;
    expect([last.action, last.actorId]).toEqual(['request.approved', rao.id]);
    expect(JSON.parse(last.detail)).toMatchObject({ approvals: 1, required: 1 });
  });

  it('a rejection needs a reason, which the requester is shown', async () => {
    const r = await submit();
    const empty = await api('post', `/requests/${r.id}/reject`, draoChem, { version: r.version });
    // The DRAO of another department does not see it at all.
    expect(empty.status).toBe(404);
    const noReason = await api('post', `/requests/${r.id}/reject`, rao, { version: r.version });
    expect(noReason.status).toBe(422);
    expect(noReason.body.errors ?? noReason.body.problems).toBeDefined();
    expect((await row(r.id)).status).toBe('submitted');
    const res = await api('post', `/requests/${r.id}/reject`, rao, {
      version: r.version,
      reason: 'Use the department server, not a personal one',
    });
    expect(res.status).toBe(200);
    const mine = await api('get', `/requests/${r.id}`, requester);
    expect(mine.body).toMatchObject({
      status: 'rejected',
      statusReason: 'Use the department server, not a personal one',
    });
    // And is told by e-mail, in their language (none stored: the NREN's, English here).
    const mail = await t
      .get(Transactions)
      .manager.findOneByOrFail(MailMessage, { subject: `Request ${r.id} rejected` });
    expect(mail.toAddress).toBe('req@appr.example.org');
    expect(mail.textBody).toContain('Reason given: Use the department server, not a personal one');
    expect(mail.textBody).toContain(`/requests/${r.id}`);
  });

  it('nobody approves their own request unless an NREN administrator allows it for the organisation', async () => {
    const own = await submit(rao);
    expect(own.actions).toEqual(['reject', 'cancel']);
    const refused = await api('post', `/requests/${own.id}/approve`, rao, { version: own.version });
    expect([refused.status, refused.body.code]).toEqual([403, 'request_action_forbidden']);
    const org = (await api('get', `/organisations/${orgId}`, nrenAdmin)).body;
    // An RAO may not lift separation of duties for their own organisation.
    const byRao = await api('put', `/organisations/${orgId}/self-approval`, rao, {
      enabled: true,
      version: org.version,
    });
    expect(byRao.status).toBe(404);
    const allowed = await api('put', `/organisations/${orgId}/self-approval`, nrenAdmin, {
      enabled: true,
      version: org.version,
    });
    expect(allowed.body).toMatchObject({ selfApprovalAllowed: true });
    const trail = await t.get(AuditService).history('organisation', orgId, 1);
    expect([trail[0].action, trail[0].actorId]).toEqual([
      'organisation.self-approval-changed',
      nrenAdmin.id,
    ]);
    try {
      const ok = await api('post', `/requests/${own.id}/approve`, rao, { version: own.version });
      expect(ok.body.status).toBe('approved');
    } finally {
      await api('put', `/organisations/${orgId}/self-approval`, nrenAdmin, {
        enabled: false,
        version: allowed.body.version,
      });
    }
    const again = await submit(rao);
    expect(
      (await api('post', `/requests/${again.id}/approve`, rao, { version: again.version })).status,
    ).toBe(403);
  });

  describe('N-of-M', () => {
    beforeAll(() => setApprovals(2));
    afterAll(() => setApprovals(1));

    it('counts each person once, shows who approved so far, and approves at the last one', async () => {
      const r = await submit();
      const first = await api('post', `/requests/${r.id}/approve`, rao, { version: r.version });
      expect(first.body).toMatchObject({ status: 'submitted', version: r.version + 1 });
      expect(first.body.approvals.map((a: { personId: number }) => a.personId)).toEqual([rao.id]);
      // The same person again: told their approval is already counted; nothing changes.
      expect(first.body.actions).toEqual(['reject', 'cancel']);
      const twice = await api('post', `/requests/${r.id}/approve`, rao, {
        version: first.body.version,
      });
      expect([twice.status, twice.body.code]).toEqual([409, 'request_already_approved_by_you']);
      const seen = await api('get', `/requests/${r.id}`, requester);
      expect(seen.body).toMatchObject({ status: 'submitted', version: first.body.version });
      expect(seen.body.approvals).toHaveLength(1);
      const second = await api('post', `/requests/${r.id}/approve`, rao2, {
        version: first.body.version,
      });
      expect(second.body.status).toBe('approved');
      expect(second.body.approvals.map((a: { personId: number }) => a.personId)).toEqual([
        rao.id,
        rao2.id,
      ]);
      const trail = (await events(r.id)).map((e) => e.action);
      expect(trail).toEqual(['request.submitted', 'request.approval-recorded', 'request.approved']);
    });

    it('one rejection rejects, whatever approvals came before', async () => {
      const r = await submit();
      const first = await api('post', `/requests/${r.id}/approve`, rao, { version: r.version });
      const no = await api('post', `/requests/${r.id}/reject`, rao2, {
        version: first.body.version,
        reason: 'Not for this department',
      });
      expect(no.body.status).toBe('rejected');
    });

    it('the requester does not count towards their own request', async () => {
      const r = await submit(rao);
      const res = await api('post', `/requests/${r.id}/approve`, rao, { version: r.version });
      expect(res.status).toBe(403);
      expect((await row(r.id)).version).toBe(r.version);
    });
  });

  describe('automatic approval', () => {
    let dept: { id: number; version: number };
    beforeAll(async () => {
      dept = (await dir.api('get', `/departments/${physics}`)).body;
    });

    it('is off by default, switched on by an RAO (audited), and approves clean requests as the policy', async () => {
      const before = await submit();
      expect(before.status).toBe('submitted');
      const byRequester = await api('put', `/departments/${physics}/auto-approval`, requester, {
        enabled: true,
        version: dept.version,
      });
      expect(byRequester.status).toBe(404);
      const on = await api('put', `/departments/${physics}/auto-approval`, rao, {
        enabled: true,
        version: dept.version,
      });
      expect(on.body).toMatchObject({ autoApprove: true });
      try {
        const csr = csrFor(['auto.appr.example.org']);
        const clean = await submitRequest(t, requester.token, physics, csr);
        expect(clean.status).toBe('approved');
        const last = (await events(clean.id)).at(-1)!;
        expect([last.action, last.actorId, last.actorLabel]).toEqual([
          'request.approved',
          null,
          'system (automatic-approval)',
        ]);
        expect(JSON.parse(last.detail)).toMatchObject({ policy: 'automatic-approval' });
        // The same key again is only a warning, and a warning waits for a person.
        const warned = await submitRequest(t, requester.token, physics, csr);
        expect(warned.status).toBe('submitted');
        // Another department keeps its own policy.
        expect((await submit(requester, chemistry).catch(() => null))?.status ?? 'n/a').not.toBe(
          'approved',
        );
      } finally {
        await api('put', `/departments/${physics}/auto-approval`, rao, {
          enabled: false,
          version: on.body.version,
        });
      }
    });
  });

  describe('substitutes', () => {
    it('decide in the absent RAO’s place for the period only, audited with both names', async () => {
      const r = await submit();
      // The DRAO of Chemistry does not decide for Physics by their own grants.
      expect(
        (await api('post', `/requests/${r.id}/approve`, draoChem, { version: r.version })).status,
      ).toBe(404);
      const now = t.clock.now().getTime();
      const bad = await api('post', '/substitutes', rao, {
        substitute: 'req@appr.example.org',
        endsAt: new Date(now + 7 * DAY).toISOString(),
      });
      expect([bad.status, bad.body.code]).toEqual([422, 'substitute_invalid']);
      const appointed = await api('post', '/substitutes', rao, {
        substitute: 'drao@appr.example.org',
        endsAt: new Date(now + 7 * DAY).toISOString(),
      });
      expect(appointed.status).toBe(201);
      const queue = await api('get', '/requests?awaiting=me', draoChem);
      expect(queue.body.items.map((i: { id: number }) => i.id)).toContain(r.id);
      const res = await api('post', `/requests/${r.id}/approve`, draoChem, { version: r.version });
      expect(res.body.status).toBe('approved');
      const last = (await events(r.id)).at(-1)!;
      expect(last.actorId).toBe(draoChem.id);
      expect(JSON.parse(last.detail)).toMatchObject({
        onBehalfOf: { id: rao.id, label: 'rao' },
      });
      const appointment = (await t.get(AuditService).history('person', rao.id, 1))[0];
      expect(appointment.action).toBe('substitute.appointed');
      // After the period, the substitute is back to their own scope.
      t.clock.advance(8 * DAY);
      try {
        const later = await submit();
        expect(
          (await api('post', `/requests/${later.id}/approve`, draoChem, { version: later.version }))
            .status,
        ).toBe(404);
      } finally {
        t.clock.advance(-8 * DAY);
      }
      const ended = await api('post', `/substitutes/${appointed.body.id}/end`, rao);
      expect(ended.status).toBe(204);
      expect((await api('get', '/substitutes', draoChem)).body.items).toEqual([]);
      const after = await submit();
      expect(
        (await api('post', `/requests/${after.id}/approve`, draoChem, { version: after.version }))
          .status,
      ).toBe(404);
    });
  });

  describe('expiry', () => {
    it('expires requests undecided for 30 days, and only those', async () => {
      const old = await submit();
      t.clock.advance(10 * DAY);
      const young = await submit();
      t.clock.advance(21 * DAY);
      try {
        const expired = await t.get(RequestExpiryJob).run(t.clock.now());
        expect(expired).toContain(old.id);
        expect(expired).not.toContain(young.id);
        expect((await row(old.id)).status).toBe('expired');
        const told = await t
          .get(Transactions)
          .manager.findOneBy(MailMessage, { subject: `Request ${old.id} expired` });
        expect(told?.toAddress).toBe('req@appr.example.org');
        expect((await row(young.id)).status).toBe('submitted');
        const last = (await events(old.id)).at(-1)!;
        expect([last.action, last.actorLabel]).toEqual([
          'request.expired',
          'system (request-expiry)',
        ]);
        // Run again: nothing more to do.
        expect(await t.get(RequestExpiryJob).run(t.clock.now())).not.toContain(old.id);
        const late = await api('post', `/requests/${old.id}/approve`, rao, {
          version: (await row(old.id)).version,
        });
        expect([late.status, late.body.code]).toEqual([409, 'request_already_expired']);
      } finally {
        t.clock.advance(-31 * DAY);
      }
    });
  });

  describe('digest to approvers', () => {
    it('one digest per approver for a burst, none while nothing new, the next only after the interval', async () => {
      const digests = () =>
        t
          .get(Transactions)
          .manager.createQueryBuilder(MailMessage, 'm')
          .where('m.to_address = :to AND m.subject LIKE :s', {
            to: 'rao2@appr.example.org',
            s: '%await your decision%',
          })
          .getMany();
      const job = t.get(ApprovalDigestJob);
      t.clock.advance(2 * HOUR);
      await job.run(t.clock.now());
      const before = (await digests()).length;
      t.clock.advance(HOUR);
      for (let i = 0; i < 3; i++) {
        await submit();
      }
      // Two runs at once (two instances): one digest.
      await Promise.all([job.run(t.clock.now()), job.run(t.clock.now())]);
      const after = await digests();
      expect(after).toHaveLength(before + 1);
      expect(after.at(-1)!.textBody).toContain('/approvals');
      await job.run(t.clock.now());
      t.clock.advance(10 * MINUTE);
      await submit();
      await job.run(t.clock.now());
      expect(await digests()).toHaveLength(before + 1);
      t.clock.advance(HOUR);
      await job.run(t.clock.now());
      expect(await digests()).toHaveLength(before + 2);
      // Nothing new since: nothing more, however long it waits.
      t.clock.advance(2 * HOUR);
      await job.run(t.clock.now());
      expect(await digests()).toHaveLength(before + 2);
    });
  });

  describe('the queue', () => {
    it('lists what awaits me in my scope, oldest first, without my own or those I approved', async () => {
      const a = await submit();
      t.clock.advance(1000);
      const b = await submit(requester, physics);
      const mine = await submit(rao);
      const chem = await submit(draoChem, chemistry);
      const res = await api('get', '/requests?awaiting=me', rao);
      const ids = res.body.items.map((i: { id: number }) => i.id);
      expect(ids.indexOf(a.id)).toBeLessThan(ids.indexOf(b.id));
      expect(ids).toContain(chem.id);
      expect(ids).not.toContain(mine.id);
      expect(ids.every((id: number, i: number) => i === 0 || id > ids[i - 1])).toBe(true);
      const drao = await api('get', `/requests?awaiting=me&department=${physics}`, draoChem);
      expect(drao.body.items).toEqual([]);
      t.clock.advance(3 * DAY);
      try {
        const c = await submit();
        const aged = await api('get', '/requests?awaiting=me&olderThanDays=2', rao);
        const agedIds = aged.body.items.map((i: { id: number }) => i.id);
        expect(agedIds).toContain(a.id);
        expect(agedIds).not.toContain(c.id);
      } finally {
        t.clock.advance(-3 * DAY);
      }
      const requesterQueue = await api('get', '/requests?awaiting=me', requester);
      expect(requesterQueue.body.items).toEqual([]);
    });
  });

  it('two approvers at the same moment: one decision wins, the other is told what happened', async () => {
    for (let round = 0; round < 4; round++) {
      const r = await submit();
      const [x, y] = await Promise.all([
        api('post', `/requests/${r.id}/approve`, rao, { version: r.version }),
        round % 2
          ? api('post', `/requests/${r.id}/reject`, rao2, { version: r.version, reason: 'no' })
          : api('post', `/requests/${r.id}/approve`, rao2, { version: r.version }),
      ]);
      const statuses = [x.status, y.status].sort();
      expect(statuses).toEqual([200, 409]);
      const loser = x.status === 409 ? x : y;
      const winner = x.status === 200 ? x : y;
      expect(['request_changed', `request_already_${winner.body.status}`]).toContain(
        loser.body.code,
      );
      const decisions = (await events(r.id)).filter((e) => e.action !== 'request.submitted');
      expect(decisions).toHaveLength(1);
    }
  });
});
