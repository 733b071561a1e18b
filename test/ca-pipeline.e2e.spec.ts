import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import request from 'supertest';
import { AuditService } from '../src/audit/audit.service.js';
import { agentFor, csrfFrom, login } from './support/http.js';
import { PipelineFixture } from './support/pipeline.js';
import { setPassword } from './support/requests.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// From approved to a certificate in the requester's hands, through the orderer, the
// collector and the built-in simulated CA over HTTPS, with nobody touching a CA.
describe('the CA pipeline on embedded defaults', () => {
  let t: TestApp;
  let fx: PipelineFixture;

  beforeAll(async () => {
    t = await createTestApp();
    fx = await new PipelineFixture(t).init('HAPPY');
  }, 60_000);
  afterAll(() => t?.close());

  it('orders an approved request once, collects it after the CA issued, and the requester downloads it in every format', async () => {
    const id = await fx.approved();
    expect(await fx.order$()).toMatchObject({ ordered: 1 });
    expect(await fx.status(id)).toBe('ordered');
    const order = await fx.order(id);
    expect(order).toMatchObject({ state: 'ordered', attempts: 1, foreignOrderNumber: String(id) });
    expect(order.caOrderNumber).toMatch(/^\d+$/);

    // Not due yet: the first poll waits CA_POLL_MIN_SECONDS.
    expect(await fx.collect$()).toMatchObject({ issued: 0, pending: 0 });
    t.clock.advance(61_000);
    // The simulator issues on the second collection (CA_SIM_ISSUE_AFTER_POLLS=1).
    expect(await fx.collect$()).toMatchObject({ pending: 1 });
    expect((await fx.order(id)).pollIntervalSeconds).toBe(120);
    t.clock.advance(121_000);
    expect(await fx.collect$()).toMatchObject({ issued: 1 });
    expect(await fx.status(id)).toBe('issued');
    expect(await fx.sim.ordersFor(String(id))).toBe(1);

    const auth = { Authorization: `Bearer ${fx.requester.token}` };
    const list = await request(t.server).get('/api/v1/certificates').set(auth).expect(200);
    const mine = (list.body.items as { id: number; requestId: number }[]).find(
      (c) => c.requestId === id,
    );
    expect(mine).toBeDefined();
    const pem = await request(t.server)
      .get(`/api/v1/certificates/${mine!.id}/pem`)
      .set(auth)
      .buffer(true)
      .expect(200);
    const leaf = new x509.X509Certificate(pem.text);
    expect(leaf.subject).toContain(`host1.${fx.domain}`);
    for (const [format, type] of [
      ['chain', 'application/x-pem-file'],
      ['fullchain', 'application/x-pem-file'],
      ['p7b', 'application/x-pkcs7-certificates'],
      ['der', 'application/pkix-cert'],
    ]) {
      const res = await request(t.server)
        .get(`/api/v1/certificates/${mine!.id}/${format}`)
        .set(auth)
        .buffer(true)
        .expect(200);
      expect(res.headers['content-type']).toContain(type);
    }
    const trail = (await t.get(AuditService).history('request', id, 10)).map((e) => e.action);
    expect(trail).toEqual(
      expect.arrayContaining(['request.ordering', 'request.ordered', 'request.issued']),
    );
  });
});

describe('revocation, renewal and replacement through the pipeline', () => {
  let t: TestApp;
  let fx: PipelineFixture;

  beforeAll(async () => {
    t = await createTestApp();
    fx = await new PipelineFixture(t).init('LIFE');
  }, 60_000);
  afterAll(() => t?.close());

  const api = (token: string, path: string, body: object) =>
    request(t.server).post(`/api/v1${path}`).set('Authorization', `Bearer ${token}`).send(body);

  it('revokes for key compromise at the CA, records it on the certificate and the request, and blocks the key', async () => {
    const csr = fx.csr();
    const { requestId, certificateId } = await fx.issued(csr);
    // The requester sees the certificate but may not revoke it (README access table).
    const denied = await api(fx.requester.token, `/certificates/${certificateId}/revoke`, {
      reason: 'keyCompromise',
    });
    expect(denied.status).toBe(403);
    const unknown = await api(fx.rao.token, `/certificates/${certificateId}/revoke`, {
      reason: 'stolen',
    });
    expect(unknown.status).toBe(422);
    expect((await fx.certificate(certificateId)).state).toBe('valid');

    const res = await api(fx.rao.token, `/certificates/${certificateId}/revoke`, {
      reason: 'keyCompromise',
      note: 'laptop stolen',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'revoked', revocationReason: 'keyCompromise' });
    expect(await fx.status(requestId)).toBe('revoked');
    const order = await fx.order(requestId);
    expect((await fx.sim.order(order.caOrderNumber!))?.state).toBe('revoked');
    // Revoked already: nothing to revoke again.
    const again = await api(fx.rao.token, `/certificates/${certificateId}/revoke`, {
      reason: 'keyCompromise',
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('certificate_not_revocable');
    // The CSR rules now refuse the key.
    const reuse = await request(t.server)
      .post('/api/v1/requests')
      .set('Authorization', `Bearer ${fx.requester.token}`)
      .send({ departmentId: fx.deptId, product: 'OV_SSL', csr });
    expect(reuse.status).toBe(422);
    expect(JSON.stringify(reuse.body.errors)).toContain('KEY_COMPROMISED');
  });

  it('offers the revocation form to those who may revoke, and hides the certificate from an RAO elsewhere', async () => {
    const { certificateId } = await fx.issued();
    const other = await fx.dir.organisation(fx.nrenId, 'Elsewhere College');
    const stranger = await fx.dir.person('rao@elsewhere.example.org', 'rao', other.id);
    const res = await api(stranger.token, `/certificates/${certificateId}/revoke`, {
      reason: 'superseded',
    });
    expect(res.status).toBe(404);
    expect((await fx.certificate(certificateId)).state).toBe('valid');

    const form = `action="/certificates/${certificateId}/revoke"`;
    await setPassword(t, fx.rao.id, 'rao-long-password-123');
    await setPassword(t, fx.requester.id, 'requester-long-password');
    const raoAgent = agentFor(t);
    await login(raoAgent, `rao@${fx.domain}`, 'rao-long-password-123');
    const page = await raoAgent.get(`/certificates/${certificateId}?lang=nl`).expect(200);
    expect(page.text).toContain(form);
    expect(page.text).toContain('De privésleutel is gecompromitteerd');
    const requesterAgent = agentFor(t);
    await login(requesterAgent, `req@${fx.domain}`, 'requester-long-password');
    expect(
      (await requesterAgent.get(`/certificates/${certificateId}`).expect(200)).text,
    ).not.toContain(form);
    // Revoked through the page: back to the certificate, which says so.
    const done = await raoAgent
      .post(`/certificates/${certificateId}/revoke`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), reason: 'cessationOfOperation' });
    expect(done.status).toBe(303);
    expect((await fx.certificate(certificateId)).state).toBe('revoked');
    expect((await raoAgent.get(`/certificates/${certificateId}`).expect(200)).text).not.toContain(
      form,
    );
  });

  it('renews: a new request linked to the certificate, ordered anew; the old one becomes superseded', async () => {
    const old = await fx.issued();
    const res = await api(fx.requester.token, `/certificates/${old.certificateId}/renew`, {
      csr: fx.csr(),
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'submitted', replacesHow: 'renew' });
    await fx.approve(res.body.id);
    await fx.settle(3);
    expect(await fx.status(res.body.id)).toBe('issued');
    expect(await fx.sim.ordersFor(String(res.body.id))).toBe(1);
    expect((await fx.certificate(old.certificateId)).state).toBe('superseded');
    expect(await fx.status(old.requestId)).toBe('superseded');
  });

  it('replaces: a new CSR on the same CA order, no new order; the old certificate becomes superseded', async () => {
    const old = await fx.issued();
    const oldOrder = await fx.order(old.requestId);
    const replaces = fx.sim.callCount('replace');
    const res = await api(fx.requester.token, `/certificates/${old.certificateId}/renew`, {
      csr: fx.csr(),
      replace: true,
    });
    expect(res.status).toBe(201);
    await fx.approve(res.body.id);
    await fx.settle(3);
    expect(await fx.status(res.body.id)).toBe('issued');
    expect(fx.sim.callCount('replace')).toBe(replaces + 1);
    expect(await fx.sim.ordersFor(String(res.body.id))).toBe(0);
    expect((await fx.order(res.body.id)).caOrderNumber).toBe(oldOrder.caOrderNumber);
    const old2 = await fx.certificate(old.certificateId);
    expect(old2.state).toBe('superseded');
  });
});
