import 'reflect-metadata';
import request from 'supertest';
import { User } from '../src/accounts/user.entity.js';
import { AuditService } from '../src/audit/audit.service.js';
import { RevocationRequest } from '../src/certificates/revocation-request.entity.js';
import { Transactions } from '../src/database/transactions.js';
import { MailMessage } from '../src/mail/mail-message.entity.js';
import { CertificateRequest } from '../src/requests/certificate-request.entity.js';
import { DIALECT } from './support/databases.js';
import { agentFor, csrfFrom, login } from './support/http.js';
import { PipelineFixture } from './support/pipeline.js';
import { setPassword } from './support/requests.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const FAST_CA = { CA_RETRY_BASE_DELAY_MS: '5', CA_RETRY_MAX_DELAY_MS: '20' };

// A holder asks for revocation, an approver decides; key compromise goes straight through.
describe(`revocation requests (${DIALECT})`, () => {
  let t: TestApp;
  let fx: PipelineFixture;
  let em: Transactions['manager'];

  beforeAll(async () => {
    t = await createTestApp({ env: FAST_CA });
    fx = await new PipelineFixture(t).init('REVREQ');
    em = t.get(Transactions).manager;
    await setPassword(t, fx.rao.id, 'rao-long-password-123');
    await setPassword(t, fx.requester.id, 'requester-long-password');
  }, 180_000);
  afterAll(() => t?.close());

  const api = (token: string, method: 'get' | 'post', path: string, body?: object) => {
    const r = request(t.server)[method](`/api/v1${path}`).set('Authorization', `Bearer ${token}`);
    return body ? r.send(body) : r;
  };

  it('a requester asks; one open request per certificate; the RAO refuses and the requester reads why', async () => {
    const { certificateId } = await fx.issued();
    const asked = await api(
      fx.requester.token,
      'post',
      `/certificates/${certificateId}/revocation-requests`,
      {
        reason: 'cessationOfOperation',
        explanation: 'The server is switched off next week.',
      },
    );
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({ state: 'open', revokedAtOnce: false });
    // The certificate is untouched until someone decides.
    expect((await fx.certificate(certificateId)).state).toBe('valid');
    const again = await api(
      fx.requester.token,
      'post',
      `/certificates/${certificateId}/revocation-requests`,
      {
        reason: 'superseded',
        explanation: 'Twice',
      },
    );
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('revocation_request_open');
    // A reason only the CA may give is not for subscribers.
    const other = await fx.issued();
    const bad = await api(
      fx.requester.token,
      'post',
      `/certificates/${other.certificateId}/revocation-requests`,
      {
        reason: 'cACompromise',
        explanation: 'x',
      },
    );
    expect(bad.status).toBe(422);

    // The RAO sees it in their list and counts it in the navigation.
    const open = await api(fx.rao.token, 'get', '/revocation-requests');
    expect(open.body.items.map((r: { id: number }) => r.id)).toContain(asked.body.id);
    const raoAgent = agentFor(t);
    await login(raoAgent, `rao@${fx.domain}`, 'rao-long-password-123');
    const list = await raoAgent.get('/revocation-requests').expect(200);
    expect(list.text).toContain(`/certificates/${certificateId}#revocation-requests`);
    expect(list.text).toMatch(/Revocations \(\d+\)/);

    // Refusing needs a reason; with one, the request is closed and the requester sees it.
    const page = await raoAgent.get(`/certificates/${certificateId}`).expect(200);
    const refuseUrl = `/certificates/${certificateId}/revocation-requests/${asked.body.id}/refuse`;
    expect(page.text).toContain(`action="${refuseUrl}"`);
    const empty = await raoAgent
      .post(refuseUrl)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), reason: '' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('govuk-error-summary');
    const refused = await raoAgent
      .post(refuseUrl)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), reason: 'Keep it until the migration ends in June.' });
    expect(refused.status).toBe(303);
    const requesterAgent = agentFor(t);
    await login(requesterAgent, `req@${fx.domain}`, 'requester-long-password');
    const mine = await requesterAgent.get(`/certificates/${certificateId}?lang=fr`).expect(200);
    expect(mine.text).toContain('Keep it until the migration ends in June.');
    expect(mine.text).toContain('Refusée');
    expect((await fx.certificate(certificateId)).state).toBe('valid');
    const trail = (await t.get(AuditService).history('certificate', certificateId)).map(
      (e) => e.action,
    );
    expect(trail).toEqual(
      expect.arrayContaining([
        'certificate.revocation-requested',
        'certificate.revocation-refused',
      ]),
    );
    // Refused: the holder may ask again, and deciding twice is refused.
    const twice = await api(fx.rao.token, 'post', `/revocation-requests/${asked.body.id}/refuse`, {
      reason: 'no',
    });
    expect(twice.status).toBe(409);
  }, 120_000);

  it('the RAO approves on the page: the certificate is revoked at the CA with the reason asked for', async () => {
    const { certificateId, requestId } = await fx.issued();
    const requesterAgent = agentFor(t);
    await login(requesterAgent, `req@${fx.domain}`, 'requester-long-password');
    const page = await requesterAgent.get(`/certificates/${certificateId}`).expect(200);
    const askForm = `action="/certificates/${certificateId}/revocation-requests"`;
    expect(page.text).toContain(askForm);
    // A missing explanation keeps the chosen reason.
    const missing = await requesterAgent
      .post(`/certificates/${certificateId}/revocation-requests`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), reason: 'affiliationChanged', explanation: '' });
    expect(missing.status).toBe(422);
    expect(missing.text).toMatch(/value="affiliationChanged" required checked/);
    const asked = await requesterAgent
      .post(`/certificates/${certificateId}/revocation-requests`)
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        reason: 'affiliationChanged',
        explanation: 'I moved to another institute.',
      });
    expect(asked.status).toBe(303);
    const after = await requesterAgent.get(`/certificates/${certificateId}`).expect(200);
    expect(after.text).not.toContain(askForm);
    expect(after.text).toContain('Waiting for a decision');
    const rr = await em.findOneByOrFail(RevocationRequest, { certificateId });

    const raoAgent = agentFor(t);
    await login(raoAgent, `rao@${fx.domain}`, 'rao-long-password-123');
    const raoPage = await raoAgent.get(`/certificates/${certificateId}`).expect(200);
    const approved = await raoAgent
      .post(`/certificates/${certificateId}/revocation-requests/${rr.id}/approve`)
      .type('form')
      .send({ _csrf: csrfFrom(raoPage.text) });
    expect(approved.status).toBe(303);
    const c = await fx.certificate(certificateId);
    expect(c).toMatchObject({ state: 'revoked', revocationReason: 'affiliationChanged' });
    expect(await fx.status(requestId)).toBe('revoked');
    expect((await fx.sim.order((await fx.order(requestId)).caOrderNumber!))?.state).toBe('revoked');
    expect(await em.findOneByOrFail(RevocationRequest, { id: rr.id })).toMatchObject({
      state: 'revoked',
      openCertificateId: null,
      decidedById: fx.rao.id,
    });
    const trail = (await t.get(AuditService).history('certificate', certificateId)).map(
      (e) => e.action,
    );
    expect(trail).toEqual(
      expect.arrayContaining(['certificate.revocation-approved', 'certificate.revoked']),
    );
  }, 120_000);

  it('key compromise goes straight to the CA, blocks the key and tells the RAO by e-mail in their language', async () => {
    await em.update(User, { id: fx.rao.id }, { language: 'de' });
    const csr = fx.csr();
    const { certificateId, requestId } = await fx.issued(csr);
    const res = await api(
      fx.requester.token,
      'post',
      `/certificates/${certificateId}/revocation-requests`,
      {
        reason: 'keyCompromise',
        explanation: 'The key was in a public repository.',
      },
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ state: 'revoked', revokedAtOnce: true });
    expect(await fx.certificate(certificateId)).toMatchObject({
      state: 'revoked',
      revocationReason: 'keyCompromise',
    });
    expect(await fx.status(requestId)).toBe('revoked');
    const mail = await em.findOneByOrFail(MailMessage, {
      toAddress: `rao@${fx.domain}`,
      template: 'revocation-key-compromise',
    });
    expect(mail.language).toBe('de');
    expect(mail.subject).toContain('Kompromittierter Schlüssel gemeldet');
    expect(mail.textBody).toContain('The key was in a public repository.');
    expect(mail.textBody).toContain(`/certificates/${certificateId}`);
    // The key is blocked for new requests.
    const reuse = await request(t.server)
      .post('/api/v1/requests')
      .set('Authorization', `Bearer ${fx.requester.token}`)
      .send({ departmentId: fx.deptId, product: 'OV_SSL', csr });
    expect(JSON.stringify(reuse.body.errors)).toContain('KEY_COMPROMISED');
    await em.update(User, { id: fx.rao.id }, { language: null });
  }, 120_000);

  it('key compromise with the CA out of reach: the RAO is told, the request stays open, and approving revokes it', async () => {
    const { certificateId } = await fx.issued();
    fx.sim.addFault('revoke', 'http-500');
    let res;
    try {
      res = await api(
        fx.requester.token,
        'post',
        `/certificates/${certificateId}/revocation-requests`,
        {
          reason: 'keyCompromise',
          explanation: 'Laptop stolen.',
        },
      );
    } finally {
      fx.sim.clearFaults();
    }
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ state: 'open', revokedAtOnce: false });
    const told = await em.findBy(MailMessage, {
      template: 'revocation-key-compromise',
      toAddress: `rao@${fx.domain}`,
    });
    expect(told.filter((m) => m.textBody.includes('Laptop stolen.'))).toHaveLength(1);
    const ok = await api(fx.rao.token, 'post', `/revocation-requests/${res.body.id}/approve`);
    expect(ok.status).toBe(200);
    expect(ok.body.state).toBe('revoked');
    expect((await fx.certificate(certificateId)).revocationReason).toBe('keyCompromise');
  }, 120_000);

  it('hides foreign certificates and requests: 404 to ask, to approve and to refuse; 403 for those who decide instead', async () => {
    const { certificateId } = await fx.issued();
    const other = await fx.dir.organisation(fx.nrenId, 'Elsewhere Revocations');
    const otherDept = await fx.dir.department(other.id, 'Chemistry');
    const stranger = await fx.dir.person(
      'req@elsewhere-rev.example.org',
      'requester',
      otherDept.id,
    );
    const strangerRao = await fx.dir.person('rao@elsewhere-rev.example.org', 'rao', other.id);
    const ask = (token: string) =>
      api(token, 'post', `/certificates/${certificateId}/revocation-requests`, {
        reason: 'superseded',
        explanation: 'Not mine',
      });
    expect((await ask(stranger.token)).status).toBe(404);
    expect((await ask(strangerRao.token)).status).toBe(404);
    // The RAO revokes directly rather than asking.
    expect((await ask(fx.rao.token)).status).toBe(403);
    const mine = await ask(fx.requester.token);
    expect(mine.status).toBe(201);
    for (const token of [stranger.token, strangerRao.token]) {
      expect(
        (await api(token, 'post', `/revocation-requests/${mine.body.id}/approve`)).status,
      ).toBe(404);
      expect(
        (await api(token, 'post', `/revocation-requests/${mine.body.id}/refuse`, { reason: 'x' }))
          .status,
      ).toBe(404);
    }
    expect((await api(strangerRao.token, 'get', '/revocation-requests')).body.items).toEqual([]);
    // The requester may not decide their own.
    expect(
      (await api(fx.requester.token, 'post', `/revocation-requests/${mine.body.id}/approve`))
        .status,
    ).toBe(403);
    // A direct revocation by the RAO closes the open request.
    const revoked = await api(fx.rao.token, 'post', `/certificates/${certificateId}/revoke`, {
      reason: 'superseded',
    });
    expect(revoked.status).toBe(200);
    expect((await em.findOneByOrFail(RevocationRequest, { id: mine.body.id })).state).toBe(
      'revoked',
    );
  }, 120_000);

  it('two simultaneous asks for one certificate leave one open request', async () => {
    const { certificateId } = await fx.issued();
    const second = await fx.dir.person(`req2@${fx.domain}`, 'requester', fx.deptId);
    const answers = await Promise.all(
      [fx.requester.token, second.token, fx.requester.token, second.token].map((token) =>
        api(token, 'post', `/certificates/${certificateId}/revocation-requests`, {
          reason: 'cessationOfOperation',
          explanation: 'Both at once',
        }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409]);
    expect(await em.countBy(RevocationRequest, { certificateId, state: 'open' })).toBe(1);
  }, 120_000);

  it('renews and replaces from the certificate page: explained, confirmed, a failed CSR shown again with what was pasted', async () => {
    const { certificateId } = await fx.issued();
    const agent = agentFor(t);
    await login(agent, `req@${fx.domain}`, 'requester-long-password');
    const page = await agent.get(`/certificates/${certificateId}?lang=en`).expect(200);
    expect(page.text).toContain(`action="/certificates/${certificateId}/renew"`);
    expect(page.text).toContain('Renew: a new certificate on a new order at the CA');
    expect(page.text).toContain('Replace: a new certificate on the same order at the CA');
    const bad = await agent
      .post(`/certificates/${certificateId}/renew`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), how: 'replace', csr: 'not a CSR at all' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('govuk-error-summary');
    expect(bad.text).toContain('>not a CSR at all</textarea>');
    expect(bad.text).toMatch(/id="how-replace" name="how" type="radio" value="replace" checked/);
    const done = await agent
      .post(`/certificates/${certificateId}/renew`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), how: 'replace', csr: fx.csr(), comment: 'new key' });
    expect(done.status).toBe(303);
    const id = Number(/\/requests\/(\d+)$/.exec(done.headers.location)![1]);
    const r = await api(fx.requester.token, 'get', `/requests/${id}`);
    expect(r.body).toMatchObject({ status: 'submitted' });
    const stored = await em.findOneByOrFail(CertificateRequest, { id });
    expect(stored).toMatchObject({ replacesCertificateId: certificateId, replacesHow: 'replace' });
    const shown = await agent.get(`/requests/${id}`).expect(200);
    expect(shown.text).toContain('The replacement is requested');
  }, 120_000);
});
