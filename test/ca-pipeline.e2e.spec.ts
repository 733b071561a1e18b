import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import request from 'supertest';
import { AuditService } from '../src/audit/audit.service.js';
import { PipelineFixture } from './support/pipeline.js';
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
