import request from 'supertest';
import { AuditService } from '../src/audit/audit.service.js';
import { Transactions } from '../src/database/transactions.js';
import { CertificateRequest } from '../src/requests/certificate-request.entity.js';
import {
  LIFECYCLE,
  refusalCode,
  REQUEST_ACTIONS,
  RequestLifecycle,
  systemActing,
  type Acting,
  type RequestAction,
  type TransitionOptions,
} from '../src/requests/request-lifecycle.js';
import { REQUEST_STATUSES, type RequestStatus } from '../src/requests/request-status.js';
import { EXPECTED_TRANSITIONS, PATH_TO } from './fixtures/request-transitions.js';
import { Directory } from './support/directory.js';
import { agentFor, csrfFrom, login, type Agent } from './support/http.js';
import {
  csrFor,
  principalOf,
  setPassword,
  submitRequest,
  usableDomain,
} from './support/requests.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const SYSTEM = systemActing('test');

describe('the request lifecycle on the real database', () => {
  let t: TestApp;
  let dir: Directory;
  let deptId: number;
  let pem: string;
  let requester: { id: number; token: string };
  let colleague: { id: number; token: string };
  let rao: { id: number; token: string };
  let otherRao: { id: number; token: string };
  let stranger: { id: number; token: string };
  let raoActing: Acting;

  beforeAll(async () => {
    t = await createTestApp();
    dir = await new Directory(t).init();
    const nren = await dir.nren('LIFE');
    const org = await dir.organisation(nren.id, 'Lifecycle University');
    deptId = (await dir.department(org.id, 'Physics')).id;
    const domain = await dir.domain(org.id, 'life.example.org');
    await usableDomain(dir, domain.id, [deptId]);
    requester = await dir.person('req@life.example.org', 'requester', deptId);
    colleague = await dir.person('colleague@life.example.org', 'requester', deptId);
    rao = await dir.person('rao@life.example.org', 'rao', org.id);
    otherRao = await dir.person('rao2@life.example.org', 'rao', org.id);
    const elsewhere = await dir.organisation(nren.id, 'Elsewhere College');
    stranger = await dir.person('rao@elsewhere.example.org', 'rao', elsewhere.id);
    raoActing = { principal: await principalOf(t, rao.id), actor: { id: rao.id, label: 'rao' } };
    pem = csrFor(['www.life.example.org']);
  }, 60_000);
  afterAll(() => t?.close());

  const lifecycle = () => t.get(RequestLifecycle);
  const row = (id: number) =>
    t.get(Transactions).manager.findOneByOrFail(CertificateRequest, { id });
  const lastEvent = async (id: number) => (await t.get(AuditService).history('request', id, 1))[0];

  // Takes a step as whoever takes it in production: the system where it may, else the RAO.
  function take(id: number, action: RequestAction, options: TransitionOptions = {}) {
    const by = LIFECYCLE[action].system ? SYSTEM : raoActing;
    return lifecycle().transition(by, id, action, { reason: 'because', ...options });
  }

  async function reach(status: RequestStatus): Promise<number> {
    const { id } = await submitRequest(t, requester.token, deptId, pem);
    for (const action of PATH_TO[status]) {
      await take(id, action);
    }
    expect((await row(id)).status).toBe(status);
    return id;
  }

  async function refusal(work: Promise<unknown>): Promise<unknown> {
    try {
      await work;
    } catch (err) {
      return err;
    }
    throw new Error('expected a refusal');
  }

  describe.each(REQUEST_STATUSES)('from %s', (status) => {
    // One request in this state for every refused action: a refusal changes nothing.
    let stuck: number;
    beforeAll(async () => {
      stuck = await reach(status);
    });

    it.each(REQUEST_ACTIONS)(`%s`, async (action) => {
      const to = EXPECTED_TRANSITIONS[status][action];
      if (!to) {
        const before = await row(stuck);
        const event = await lastEvent(stuck);
        expect(await refusal(take(stuck, action))).toMatchObject({
          kind: 'conflict',
          code: refusalCode(status, action),
        });
        const after = await row(stuck);
        expect([after.status, after.version]).toEqual([status, before.version]);
        expect((await lastEvent(stuck)).id).toBe(event.id);
        return;
      }
      const id = await reach(status);
      const before = await row(id);
      const updated = await take(id, action, { expectedVersion: before.version });
      expect(updated).toMatchObject({ status: to, version: before.version + 1 });
      expect(await row(id)).toMatchObject({ status: to, version: before.version + 1 });
      const event = await lastEvent(id);
      expect(event.action).toBe(LIFECYCLE[action].audit);
      expect(JSON.parse(event.detail)).toMatchObject({ action, from: status, to });
      if (LIFECYCLE[action].system) {
        expect([event.actorId, event.actorLabel]).toEqual([null, 'system (test)']);
      } else {
        expect([event.actorId, event.actorLabel]).toEqual([rao.id, 'rao']);
      }
    });
  });

  it('refuses a step on a version someone else has moved on, and changes nothing', async () => {
    const id = await reach('submitted');
    const seen = (await row(id)).version;
    await take(id, 'approve');
    const err = await refusal(take(id, 'cancel', { expectedVersion: seen }));
    expect(err).toMatchObject({ kind: 'conflict', code: 'request_changed' });
    expect((await row(id)).status).toBe('approved');
  });

  it('keeps system steps to the system and person-only steps to people', async () => {
    const id = await reach('submitted');
    expect(await refusal(lifecycle().transition(SYSTEM, id, 'cancel'))).toMatchObject({
      code: 'request_action_forbidden',
    });
    expect(await refusal(lifecycle().transition(raoActing, id, 'expire'))).toMatchObject({
      code: 'request_action_forbidden',
    });
    expect((await row(id)).status).toBe('submitted');
  });

  it('wants a reason for a rejection and records it', async () => {
    const id = await reach('submitted');
    expect(await refusal(take(id, 'reject', { reason: '  ' }))).toMatchObject({
      code: 'validation_failed',
      problems: [{ field: 'reason', code: 'required' }],
    });
    await take(id, 'reject', { reason: 'Wrong department' });
    expect(JSON.parse((await lastEvent(id)).detail)).toMatchObject({ reason: 'Wrong department' });
  });

  it('lets nobody approve their own request, but another RAO may', async () => {
    const own = await submitRequest(t, rao.token, deptId, pem);
    expect(own.actions).toEqual(['reject', 'cancel']);
    expect(await refusal(lifecycle().transition(raoActing, own.id, 'approve'))).toMatchObject({
      kind: 'forbidden',
      code: 'request_action_forbidden',
    });
    const second = {
      principal: await principalOf(t, otherRao.id),
      actor: { id: otherRao.id, label: 'rao2' },
    };
    await lifecycle().transition(second, own.id, 'approve');
    expect((await row(own.id)).status).toBe('approved');
  });

  describe('through the API', () => {
    const act = (id: number, action: string, body: object, token: string, lang = 'en') =>
      request(t.server)
        .post(`/api/v1/requests/${id}/${action}`)
        .set('Authorization', `Bearer ${token}`)
        .set('Accept-Language', lang)
        .send(body);

    it('shows the actions open to the caller, and cancelling an approved request works', async () => {
      const id = await reach('approved');
      const mine = await dir.api('get', `/requests/${id}`, undefined, requester.token);
      expect(mine.body).toMatchObject({ status: 'approved', actions: ['cancel'] });
      const theirs = await dir.api('get', `/requests/${id}`, undefined, colleague.token);
      expect(theirs.body).toMatchObject({ status: 'approved', actions: [] });
      const list = await dir.api('get', '/requests?status=approved', undefined, rao.token);
      expect(list.body.items.find((r: { id: number }) => r.id === id).actions).toEqual(['cancel']);
      const res = await act(id, 'cancel', { version: mine.body.version }, requester.token);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'cancelled', actions: [] });
    });

    it('answers 409 with a code, in the reader language, on a stale version', async () => {
      const id = await reach('submitted');
      const seen = (await row(id)).version;
      await take(id, 'approve');
      const res = await act(id, 'cancel', { version: seen }, requester.token, 'fr');
      expect(res.status).toBe(409);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 409, code: 'request_changed' });
      expect(res.body.title).toMatch(/^Quelqu'un a modifié cette demande/);
      expect((await row(id)).status).toBe('approved');
    });

    it('answers 409 with a code when the state does not allow the action', async () => {
      const id = await reach('expired');
      const res = await act(id, 'cancel', { version: (await row(id)).version }, requester.token);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'request_already_expired' });
      expect(res.body.title).toMatch(/has expired/);
      expect((await row(id)).status).toBe('expired');
    });

    it('forbids a colleague, hides the request from strangers, and offers no other action yet', async () => {
      const id = await reach('submitted');
      const version = (await row(id)).version;
      const forbidden = await act(id, 'cancel', { version }, colleague.token);
      expect(forbidden.status).toBe(403);
      expect(forbidden.body).toMatchObject({ code: 'request_action_forbidden' });
      const hidden = await act(id, 'cancel', { version }, stranger.token);
      const unknown = await act(987654, 'cancel', { version }, stranger.token);
      expect(hidden.status).toBe(404);
      expect(hidden.body).toEqual(unknown.body);
      // Steps only the system takes have no door: not a page that exists.
      expect((await act(id, 'expire', { version }, rao.token)).status).toBe(404);
      expect((await act(id, 'frobnicate', { version }, rao.token)).status).toBe(404);
      expect((await act(id, 'cancel', {}, requester.token)).status).toBe(422);
      const malformed = await request(t.server)
        .post('/api/v1/requests/12abc/cancel')
        .set('Authorization', `Bearer ${requester.token}`)
        .send({});
      expect(malformed.status).toBe(404);
      expect(await row(id)).toMatchObject({ status: 'submitted', version });
    });
  });

  describe('on the request page', () => {
    let agent: Agent;
    beforeAll(async () => {
      await setPassword(t, requester.id, 'requester-long-password');
      agent = agentFor(t);
      await login(agent, 'req@life.example.org', 'requester-long-password');
    });

    const cancelForm = (id: number) => `action="/requests/${id}/cancel"`;
    const versionIn = (html: string) => Number(/name="version" value="(\d+)"/.exec(html)?.[1]);

    it('offers Cancel while the request may be cancelled, approved included', async () => {
      for (const [status, offered] of [
        ['submitted', true],
        ['approved', true],
        ['issued', false],
        ['rejected', false],
      ] as const) {
        const id = await reach(status);
        const page = await agent.get(`/requests/${id}`).expect(200);
        expect([status, page.text.includes(cancelForm(id))]).toEqual([status, offered]);
      }
    });

    it('shows the request as it is now with a 409 when someone else moved it on', async () => {
      const id = await reach('submitted');
      const page = await agent.get(`/requests/${id}`).expect(200);
      await take(id, 'approve');
      const stale = await agent
        .post(`/requests/${id}/cancel`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), version: versionIn(page.text) });
      expect(stale.status).toBe(409);
      expect(stale.text).toContain('Someone changed this request after you opened it.');
      expect(stale.text).toContain('Approved');
      // The page offers what is possible now, on the current version.
      expect(stale.text).toContain(cancelForm(id));
      expect(versionIn(stale.text)).toBe((await row(id)).version);
      const done = await agent
        .post(`/requests/${id}/cancel`)
        .type('form')
        .send({ _csrf: csrfFrom(stale.text), version: versionIn(stale.text) })
        .expect(303);
      const shown = await agent.get(done.headers.location).expect(200);
      expect(shown.text).toContain('The request has been cancelled.');
      expect(shown.text).not.toContain(cancelForm(id));
    });

    it('explains with a 409 when the state no longer allows the action', async () => {
      const id = await reach('submitted');
      const page = await agent.get(`/requests/${id}`).expect(200);
      await take(id, 'expire');
      const res = await agent
        .post(`/requests/${id}/cancel`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), version: (await row(id)).version });
      expect(res.status).toBe(409);
      expect(res.text).toContain('This request has expired');
      expect(res.text).toContain('Expired');
      expect(res.text).not.toContain(cancelForm(id));
    });
  });

  it('lets exactly one of two simultaneous cancellations on two instances win', async () => {
    const b = await createTestApp({ db: t.db, clock: t.clock });
    try {
      const id = await reach('submitted');
      const version = (await row(id)).version;
      const replies = await Promise.all(
        [t, b].map((app) =>
          request(app.server)
            .post(`/api/v1/requests/${id}/cancel`)
            .set('Authorization', `Bearer ${requester.token}`)
            .send({ version }),
        ),
      );
      expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
      const history = await t.get(AuditService).history('request', id);
      expect(history.filter((e) => e.action === 'request.cancelled')).toHaveLength(1);
      expect(await row(id)).toMatchObject({ status: 'cancelled', version: version + 1 });
    } finally {
      await b.close();
    }
  });

  it('leaves an audit trail whose chain holds', async () => {
    expect(await t.get(AuditService).verify()).toMatchObject({ ok: true });
  });
});
