import 'reflect-metadata';
import request from 'supertest';
import { CaClient } from '../src/ca/ca-client.js';
import type { SimFaultKind, SimOperation } from '../src/config/ca.config.js';
import { Transactions } from '../src/database/transactions.js';
import { Certificate } from '../src/certificates/certificate.entity.js';
import { agentFor, csrfFrom, login } from './support/http.js';
import { PipelineFixture } from './support/pipeline.js';
import { setPassword } from './support/requests.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// Quick timeouts and retries, so the slow fault is noticed in a second or two.
const FAST_CA = {
  CA_CONNECT_TIMEOUT_MS: '1000',
  CA_REPLY_TIMEOUT_MS: '1500',
  CA_SIM_SLOW_MS: '2500',
  CA_RETRY_BASE_DELAY_MS: '5',
  CA_RETRY_MAX_DELAY_MS: '20',
};
// Longer than any lease the pipeline takes with FAST_CA.
const PAST_LEASE_MS = 10 * 60_000;

type End = 'issued' | 'failed' | 'needs-reconciliation';
interface FaultCase {
  operation: SimOperation;
  fault: SimFaultKind;
  times?: number;
  // Where the request stands once the pipeline has done all it does by itself.
  settlesAt: End;
  // Whether the CA has the order (counted at the simulator).
  placed: boolean;
}

const label = (f: SimFaultKind) => (typeof f === 'string' ? f : `error ${f.code}`);

const CASES: FaultCase[] = [
  // Nothing reached the CA, or it failed before acting: retried, ordered once.
  { operation: 'order', fault: 'http-500', settlesAt: 'issued', placed: true },
  { operation: 'order', fault: { code: -14 }, settlesAt: 'issued', placed: true },
  // Down for longer than the adapter's retries: the orderer tries again later.
  { operation: 'order', fault: 'http-500', times: 6, settlesAt: 'issued', placed: true },
  // Sent, no usable answer: the CA has the order; never sent again by itself.
  { operation: 'order', fault: 'garbage', settlesAt: 'needs-reconciliation', placed: true },
  { operation: 'order', fault: 'slow', settlesAt: 'needs-reconciliation', placed: true },
  { operation: 'order', fault: 'drop', settlesAt: 'needs-reconciliation', placed: true },
  // Definite refusals: the request fails with the CA's reason.
  { operation: 'order', fault: { code: -40 }, settlesAt: 'failed', placed: false },
  { operation: 'order', fault: { code: -16 }, settlesAt: 'failed', placed: false },
  // Collection is safe to repeat: every fault ends in the certificate.
  { operation: 'collect', fault: 'http-500', settlesAt: 'issued', placed: true },
  { operation: 'collect', fault: 'garbage', settlesAt: 'issued', placed: true },
  { operation: 'collect', fault: 'slow', settlesAt: 'issued', placed: true },
  { operation: 'collect', fault: 'drop', settlesAt: 'issued', placed: true },
  { operation: 'collect', fault: { code: -14 }, settlesAt: 'issued', placed: true },
  // A refused collection (a wrong login) is asked again later: the order stands.
  { operation: 'collect', fault: { code: -16 }, settlesAt: 'issued', placed: true },
  // The CA rejected the order.
  { operation: 'collect', fault: { code: -20 }, settlesAt: 'failed', placed: true },
];

describe('the CA pipeline under faults: every request issued once or waiting for an RAO', () => {
  let t: TestApp;
  let fx: PipelineFixture;

  beforeAll(async () => {
    t = await createTestApp({ env: FAST_CA });
    fx = await new PipelineFixture(t).init('FAULTS');
  }, 60_000);
  afterAll(() => t?.close());
  afterEach(() => fx.sim.clearFaults());

  const certificatesOf = (id: number) =>
    t.get(Transactions).manager.countBy(Certificate, { requestId: id });

  async function rao(method: 'get' | 'post', path: string, body?: object) {
    const req = request(t.server)
      [method](`/api/v1${path}`)
      .set('Authorization', `Bearer ${fx.rao.token}`);
    return body ? req.send(body) : req;
  }

  // What an RAO does with what the CA says it has (the simulator answers for the CA).
  async function reconcile(id: number): Promise<void> {
    const list = await rao('get', '/reconciliation');
    const item = (list.body.items as { requestId: number; version: number }[]).find(
      (i) => i.requestId === id,
    );
    expect(item).toMatchObject({ order: { foreignOrderNumber: String(id), attempts: 1 } });
    const atCa = await fx.sim.orderNumbersFor(String(id));
    const res =
      atCa.length === 1
        ? await rao('post', `/reconciliation/${id}/order-number`, {
            version: item!.version,
            orderNumber: atCa[0],
            reason: 'found at the CA',
          })
        : await rao('post', `/reconciliation/${id}/resend`, { version: item!.version });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe(atCa.length === 1 ? 'ordered' : 'ordering');
  }

  it.each(
    CASES.map(
      (c) => [`${c.operation}: ${label(c.fault)}${c.times ? ` ×${c.times}` : ''}`, c] as const,
    ),
  )(
    '%s',
    async (_, { operation, fault, times, settlesAt, placed }) => {
      fx.sim.addFault(operation, fault, times ?? 1);
      const id = await fx.approved();
      // Hours apart: long enough for the longest wait (a refused collection waits up to 4 h).
      await fx.settle(10);
      expect(await fx.status(id)).toBe(settlesAt);
      expect(await fx.sim.ordersFor(String(id))).toBe(placed ? 1 : 0);
      if (settlesAt !== 'issued') {
        // The requester is told why, in words (here in German), not as a code.
        const seen = await request(t.server)
          .get(`/api/v1/requests/${id}?lang=de`)
          .set('Authorization', `Bearer ${fx.requester.token}`)
          .expect(200);
        expect(seen.body.outcome.key).toBe((await fx.order(id)).lastOutcome?.key);
        expect(seen.body.outcome.message).toMatch(/\b(die|der|das)\b/i);
        expect(seen.body.outcome.message).not.toContain(seen.body.outcome.key);
      }
      if (settlesAt === 'failed') {
        expect((await fx.order(id)).lastOutcome?.key).toMatch(/^ca\.codes\./);
        expect(await certificatesOf(id)).toBe(0);
        return;
      }
      if (settlesAt === 'needs-reconciliation') {
        fx.sim.clearFaults();
        // Left alone, it stays there: nothing sends it again.
        await fx.settle(2);
        expect(await fx.status(id)).toBe('needs-reconciliation');
        await reconcile(id);
        await fx.settle(4);
      }
      expect(await fx.status(id)).toBe('issued');
      expect(await fx.sim.ordersFor(String(id))).toBe(1);
      expect(await certificatesOf(id)).toBe(1);
    },
    60_000,
  );

  it('shows the RAO, on the reconciliation page in their language, what is known, and takes the order number there', async () => {
    fx.sim.addFault('order', 'drop', 1);
    const id = await fx.approved();
    await fx.order$();
    expect(await fx.status(id)).toBe('needs-reconciliation');
    await setPassword(t, fx.rao.id, 'rao-long-password-123');
    const agent = agentFor(t);
    await login(agent, `rao@${fx.domain}`, 'rao-long-password-123');
    const page = await agent.get('/reconciliation?lang=fr').expect(200);
    expect(page.text).toContain('Commandes à rapprocher');
    expect(page.text).toContain(`action="/reconciliation/${id}/order-number"`);
    expect(page.text).toContain('La commande a été envoyée à l’AC mais aucune réponse');
    const version = Number(
      new RegExp(
        `/reconciliation/${id}/order-number">[\\s\\S]*?name="version" value="(\\d+)"`,
      ).exec(page.text)?.[1],
    );
    // A malformed number is refused with the form shown again; nothing changes.
    const bad = await agent
      .post(`/reconciliation/${id}/order-number`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), version, orderNumber: 'no such thing!' });
    expect(bad.status).toBe(422);
    expect(await fx.status(id)).toBe('needs-reconciliation');
    const [orderNumber] = await fx.sim.orderNumbersFor(String(id));
    const ok = await agent
      .post(`/reconciliation/${id}/order-number`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), version, orderNumber });
    expect(ok.status).toBe(303);
    expect(await fx.status(id)).toBe('ordered');
    // The requester has no such door.
    const requester = await request(t.server)
      .get('/api/v1/reconciliation')
      .set('Authorization', `Bearer ${fx.requester.token}`);
    expect(requester.body.items).toEqual([]);
    const theirs = await request(t.server)
      .post(`/api/v1/reconciliation/${id}/resend`)
      .set('Authorization', `Bearer ${fx.requester.token}`)
      .send({ version: version + 1 });
    expect(theirs.status).toBe(403);
    await fx.settle(3);
    expect(await fx.status(id)).toBe('issued');
    expect(await fx.sim.ordersFor(String(id))).toBe(1);
  });

  // Revocation is safe to repeat: a fault either goes unnoticed (retried; the CA answers
  // "already revoked" when it had acted) or changes nothing here, and asking again works.
  it.each([
    ['http-500', 'http-500', 1, 200],
    ['garbage', 'garbage', 1, 200],
    ['slow', 'slow', 1, 200],
    ['drop', 'drop', 1, 200],
    ['error -14', { code: -14 }, 1, 200],
    ['error -16 (refused)', { code: -16 }, 1, 409],
    ['http-500 ×6 (unavailable)', 'http-500', 6, 503],
  ] as const)(
    'revoke: %s',
    async (_, fault, times, status) => {
      const { requestId, certificateId } = await fx.issued();
      fx.sim.addFault('revoke', fault, times);
      const revoke = () =>
        rao('post', `/certificates/${certificateId}/revoke`, { reason: 'superseded' });
      const res = await revoke();
      expect(res.status).toBe(status);
      if (status !== 200) {
        expect((await fx.certificate(certificateId)).state).toBe('valid');
        expect(await fx.status(requestId)).toBe('issued');
        fx.sim.clearFaults();
        expect((await revoke()).status).toBe(200);
      }
      expect((await fx.certificate(certificateId)).state).toBe('revoked');
      expect(await fx.status(requestId)).toBe('revoked');
      const order = await fx.order(requestId);
      expect((await fx.sim.order(order.caOrderNumber!))?.state).toBe('revoked');
    },
    60_000,
  );

  // The process stops between sending and recording: the row stays "sending" under a lease
  // nobody will complete. Simulated by an order call that never returns, after (or before)
  // the CA received it.
  it.each([
    ['after the CA received the order', true],
    ['before the order left', false],
  ])('a process stopped while sending, %s, leaves the order to an RAO', async (_, reached) => {
    const client = t.get(CaClient);
    const original = client.order.bind(client);
    // The stand-in is restored only once the orderer is inside it: restored earlier (a
    // loaded machine), the pending run would call the real CA and the order would leave.
    let inside!: () => void;
    const called = new Promise<void>((resolve) => (inside = resolve));
    client.order = async (account, order) => {
      inside();
      if (reached) {
        await original(account, order);
      }
      return new Promise(() => undefined);
    };
    let id: number;
    try {
      id = await fx.approved();
      void fx.order$();
      await called;
      for (let i = 0; reached && i < 600 && (await fx.sim.ordersFor(String(id))) === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      client.order = original;
    }
    expect(await fx.status(id)).toBe('ordering');
    // While its lease runs, another run leaves it alone.
    await fx.order$();
    expect((await fx.order(id)).state).toBe('sending');
    t.clock.advance(PAST_LEASE_MS);
    expect(await fx.order$()).toMatchObject({ abandoned: 1 });
    expect(await fx.status(id)).toBe('needs-reconciliation');
    expect((await fx.order(id)).lastOutcome?.key).toBe('orders.outcomes.abandoned');
    await fx.settle(2);
    expect(await fx.sim.ordersFor(String(id))).toBe(reached ? 1 : 0);

    await reconcile(id);
    await fx.settle(4);
    expect(await fx.status(id)).toBe('issued');
    expect(await fx.sim.ordersFor(String(id))).toBe(1);
    expect(await certificatesOf(id)).toBe(1);
  });
});

describe('two app instances on one database, both running orderer and collector', () => {
  it('order each request once and store one certificate for it', async () => {
    const first = await createTestApp();
    const second = await createTestApp({ db: first.db, clock: first.clock });
    try {
      const fx = await new PipelineFixture(first).init('TWO');
      const ids: number[] = [];
      for (let i = 0; i < 12; i++) {
        ids.push(await fx.approved());
      }
      const fx2 = new PipelineFixture(second);
      for (let round = 0; round < 6; round++) {
        await Promise.all([fx.order$(), fx2.order$(), fx.order$(), fx2.order$()]);
        await Promise.all([fx.collect$(), fx2.collect$(), fx.collect$(), fx2.collect$()]);
        first.clock.advance(3600_000);
      }
      const manager = first.get(Transactions).manager;
      for (const id of ids) {
        expect(await fx.status(id)).toBe('issued');
        expect(await fx.sim.ordersFor(String(id))).toBe(1);
        expect(await manager.countBy(Certificate, { requestId: id })).toBe(1);
      }
    } finally {
      await second.close();
      await first.close();
    }
  }, 120_000);
});
