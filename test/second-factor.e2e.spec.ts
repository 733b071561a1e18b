import request from 'supertest';
import { RecoveryCode, SecondFactor } from '../src/accounts/second-factor.entity.js';
import { AuditEvent } from '../src/audit/audit-event.entity.js';
import { Transactions } from '../src/database/transactions.js';
import { DIALECT } from './support/databases.js';
import { Directory } from './support/directory.js';
import { agentFor, csrfFrom, login, type Agent } from './support/http.js';
import { setPassword } from './support/requests.js';
import { enrolThroughPages, loginWithCode, secretOnPage, totpCode } from './support/totp.js';
import { createTestApp, type TestApp } from './support/test-app.js';

type Person = { id: number; token: string };
const PASSWORD = 'approver-long-password-1';

describe(`second factor (TOTP) on ${DIALECT}`, () => {
  let t: TestApp;
  let dir: Directory;
  let nrenId: number;
  let orgId: number;
  let rao: Person;
  let requester: Person;
  let nrenAdmin: Person;
  let otherNrenAdmin: Person;
  const now = () => t.clock.now();
  const em = () => t.get(Transactions).manager;
  const audits = (action: string, subjectId: number) =>
    em().find(AuditEvent, { where: { action, subjectType: 'user', subjectId: String(subjectId) } });

  beforeAll(async () => {
    t = await createTestApp({ env: { TOTP_REQUIRED: 'true' } });
    dir = await new Directory(t).init();
    nrenId = (await dir.nren('TOTP')).id;
    const other = await dir.nren('ELSE');
    const org = await dir.organisation(nrenId, 'Second Factor University');
    orgId = org.id;
    const dept = await dir.department(org.id, 'Physics');
    rao = await dir.person('rao@totp.example.org', 'rao', org.id);
    requester = await dir.person('req@totp.example.org', 'requester', dept.id);
    nrenAdmin = await dir.person('admin@totp.example', 'nren-admin', nrenId);
    otherNrenAdmin = await dir.person('admin@else.example', 'nren-admin', other.id);
    for (const p of [rao, requester, nrenAdmin, otherNrenAdmin]) {
      await setPassword(t, p.id, PASSWORD);
    }
  }, 60_000);
  afterAll(() => t?.close());

  const codeNow = (secret: string) => () => totpCode(secret, now());
  let raoSecret = '';
  let raoRecovery: string[] = [];

  it('sends an approver without a second factor to enrolment first; a requester and API tokens go on', async () => {
    const raoPage = agentFor(t);
    expect((await login(raoPage, 'rao@totp.example.org', PASSWORD)).status).toBe(303);
    for (const path of ['/', '/requests', '/account']) {
      const res = await raoPage.get(path);
      expect([path, res.status, res.headers.location]).toEqual([
        path,
        303,
        '/account/second-factor',
      ]);
    }
    // The API is not affected.
    expect((await dir.api('get', '/requests', undefined, rao.token)).status).toBe(200);
    const requesterPage = agentFor(t);
    expect((await login(requesterPage, 'req@totp.example.org', PASSWORD)).status).toBe(303);
    await requesterPage.get('/requests').expect(200);

    const page = await raoPage.get('/account/second-factor').expect(200);
    expect(page.text).toContain('<svg');
    expect(page.text).toContain('Your roles let you approve requests or administer');
    // The same key while enrolling, however often the page is shown.
    const secret = secretOnPage(page.text);
    expect(secretOnPage((await raoPage.get('/account/second-factor')).text)).toBe(secret);

    const wrong = await raoPage
      .post('/account/second-factor')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), code: '000000' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('The code is not correct, or has already been used.');

    const enrolled = await enrolThroughPages(raoPage, now);
    raoSecret = enrolled.secret;
    raoRecovery = enrolled.recoveryCodes;
    expect(raoSecret).toBe(secret);
    expect(raoRecovery).toHaveLength(10);
    await raoPage.get('/requests').expect(200);
    expect(await audits('second-factor.enrolled', rao.id)).toHaveLength(1);

    // At rest: the key sealed, the recovery codes as hashes.
    const row = await em().findOneByOrFail(SecondFactor, { userId: rao.id });
    expect(row.secretSealed).not.toContain(secret);
    expect(row.secretSealed.startsWith('v1:')).toBe(true);
    const stored = await em().findBy(RecoveryCode, { userId: rao.id });
    expect(stored).toHaveLength(10);
    for (const code of raoRecovery) {
      expect(
        stored.some((s) => s.codeHash.includes(code) || s.codeHash.includes(code.replace('-', ''))),
      ).toBe(false);
    }
  });

  it('asks for the code after the password; the session is not signed in until it is right', async () => {
    t.clock.advance(60_000);
    const agent = agentFor(t);
    const page = await agent.get('/login').expect(200);
    const first = await agent
      .post('/login')
      .type('form')
      .send({
        email: 'rao@totp.example.org',
        password: PASSWORD,
        _csrf: csrfFrom(page.text),
        next: '/requests',
      });
    expect([first.status, first.headers.location]).toEqual([303, '/login/code']);
    // Not signed in yet.
    const before = await agent.get('/requests');
    expect(before.status).toBe(303);
    expect(before.headers.location).toMatch(/^\/login/);
    const codePage = await agent.get('/login/code').expect(200);
    const wrong = await agent
      .post('/login/code')
      .type('form')
      .send({ _csrf: csrfFrom(codePage.text), code: '123456' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('The code is not correct');
    const right = await agent
      .post('/login/code')
      .type('form')
      .send({ _csrf: csrfFrom(codePage.text), code: totpCode(raoSecret, now()) });
    expect([right.status, right.headers.location]).toEqual([303, '/requests']);
    await agent.get('/requests').expect(200);
    expect(await audits('login.second-factor', rao.id)).toHaveLength(1);
    expect(await audits('second-factor.failed', rao.id)).toHaveLength(1);

    // The same code again, still in its window: refused.
    const again = await loginWithCode(
      agentFor(t),
      'rao@totp.example.org',
      PASSWORD,
      codeNow(raoSecret),
    );
    expect(again.status).toBe(422);
    // The next step's code works.
    t.clock.advance(30_000);
    const next = await loginWithCode(
      agentFor(t),
      'rao@totp.example.org',
      PASSWORD,
      codeNow(raoSecret),
    );
    expect([next.status, next.headers.location]).toEqual([303, '/account']);
  });

  it('slows down wrong codes, counted in the database', async () => {
    t.clock.advance(60_000);
    const agent = agentFor(t);
    const statuses: number[] = [];
    await loginWithCode(agent, 'rao@totp.example.org', PASSWORD, () => '111111').then((r) =>
      statuses.push(r.status),
    );
    const codePage = await agent.get('/login/code').expect(200);
    for (let i = 0; i < 5; i++) {
      const r = await agent
        .post('/login/code')
        .type('form')
        .send({ _csrf: csrfFrom(codePage.text), code: String(222222 + i) });
      statuses.push(r.status);
      if (r.status === 429) {
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
        expect(r.text).toContain('Too many failed attempts');
      }
    }
    expect(statuses).toEqual([422, 422, 422, 422, 422, 429]);
    // Even the right code waits now.
    const right = await agent
      .post('/login/code')
      .type('form')
      .send({ _csrf: csrfFrom(codePage.text), code: totpCode(raoSecret, now()) });
    expect(right.status).toBe(429);
    t.clock.advance(20_000);
    const later = await agent
      .post('/login/code')
      .type('form')
      .send({ _csrf: csrfFrom(codePage.text), code: totpCode(raoSecret, now()) });
    expect(later.status).toBe(303);
  });

  it('takes each recovery code once', async () => {
    const code = raoRecovery[0];
    const first = await loginWithCode(agentFor(t), 'rao@totp.example.org', PASSWORD, () =>
      code.toUpperCase(),
    );
    expect(first.status).toBe(303);
    expect(await audits('login.second-factor', rao.id)).toContainEqual(
      expect.objectContaining({ detail: expect.stringContaining('recovery-code') }),
    );
    const second = await loginWithCode(agentFor(t), 'rao@totp.example.org', PASSWORD, () => code);
    expect(second.status).toBe(422);
    const agent = agentFor(t);
    t.clock.advance(30_000);
    expect(
      (await loginWithCode(agent, 'rao@totp.example.org', PASSWORD, codeNow(raoSecret))).status,
    ).toBe(303);
    expect((await agent.get('/account').expect(200)).text).toContain('Unused recovery codes: 9.');
  });

  it('lets administrators reset it, audited, within their NREN only', async () => {
    // Another NREN's administrator: as if the person did not exist.
    expect(
      (await dir.api('post', `/people/${rao.id}/second-factor/reset`, {}, otherNrenAdmin.token))
        .status,
    ).toBe(404);
    // Nobody resets their own this way.
    expect(
      (await dir.api('post', `/people/${nrenAdmin.id}/second-factor/reset`, {}, nrenAdmin.token))
        .status,
    ).toBe(404);
    expect(await em().countBy(SecondFactor, { userId: rao.id })).toBe(1);

    // The RAO is signed in, code and all: whoever has their phone may be too.
    t.clock.advance(30_000);
    const stolen = agentFor(t);
    expect(
      (await loginWithCode(stolen, 'rao@totp.example.org', PASSWORD, codeNow(raoSecret))).status,
    ).toBe(303);
    expect((await stolen.get('/account')).status).toBe(200);

    // The NREN's administrator, on the page (after enrolling, as the rule asks of them too).
    const adminPage = agentFor(t);
    expect((await login(adminPage, 'admin@totp.example', PASSWORD)).status).toBe(303);
    await enrolThroughPages(adminPage, now);
    const page = await adminPage.get(`/people/${rao.id}/second-factor`).expect(200);
    expect(page.text).toContain('rao@totp.example.org');
    const reset = await adminPage
      .post(`/people/${rao.id}/second-factor/reset`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect([reset.status, reset.headers.location]).toEqual([
      303,
      `/people/${rao.id}/second-factor`,
    ]);
    const [event] = await audits('second-factor.reset', rao.id);
    expect(event.actorLabel).toBe('admin@totp.example');
    // The earlier tests' logins and this one.
    expect(JSON.parse(event.detail)).toMatchObject({ removed: true });
    expect(JSON.parse(event.detail).sessionsEnded).toBeGreaterThanOrEqual(1);
    expect(await em().countBy(RecoveryCode, { userId: rao.id })).toBe(0);
    // That session is over: back to the login page; the administrator's own goes on.
    const after = await stolen.get('/account');
    expect([after.status, after.headers.location]).toEqual([303, '/login?next=%2Faccount']);
    expect((await adminPage.get(`/people/${rao.id}/second-factor`)).status).toBe(200);

    // The RAO logs in with the password alone and is sent to enrol again.
    const raoPage = agentFor(t);
    const res = await login(raoPage, 'rao@totp.example.org', PASSWORD);
    expect(res.headers.location).toBe('/');
    expect((await raoPage.get('/')).headers.location).toBe('/account/second-factor');
    const again = await enrolThroughPages(raoPage, now);
    raoSecret = again.secret;
    expect((await raoPage.get('/account')).status).toBe(200);

    // The platform administrator, by the API: the RAO's new session ends too.
    const api = await dir.api('post', `/people/${rao.id}/second-factor/reset`, {});
    expect([api.status, api.body]).toEqual([200, { userId: rao.id, reset: true }]);
    expect((await raoPage.get('/account')).headers.location).toBe('/login?next=%2Faccount');
    const events = await audits('second-factor.reset', rao.id);
    expect(events.map((e) => e.actorLabel).sort()).toEqual([
      'admin@totp.example',
      'root@example.org',
    ]);
    // The people list offers the page to the NREN administrator.
    const list = await adminPage.get(`/organisations/${orgId}`).expect(200);
    expect(list.text).toContain(`href="/people/${rao.id}/second-factor"`);
  });

  it("turns one's own second factor off only with a current code", async () => {
    const agent: Agent = agentFor(t);
    expect((await login(agent, 'req@totp.example.org', PASSWORD)).status).toBe(303);
    const { secret } = await enrolThroughPages(agent, now);
    const page = await agent.get('/account/second-factor').expect(200);
    const wrong = await agent
      .post('/account/second-factor/disable')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), code: '999999' });
    expect(wrong.status).toBe(422);
    expect(await em().countBy(SecondFactor, { userId: requester.id })).toBe(1);
    t.clock.advance(30_000);
    const right = await agent
      .post('/account/second-factor/disable')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), code: totpCode(secret, now()) });
    expect([right.status, right.headers.location]).toEqual([303, '/account']);
    expect(await em().countBy(SecondFactor, { userId: requester.id })).toBe(0);
    expect(await audits('second-factor.disabled', requester.id)).toHaveLength(1);
  });

  it('writes no key and no recovery code to the logs', () => {
    expect(t.logs.length).toBeGreaterThan(0);
    for (const secret of [raoSecret, ...raoRecovery]) {
      expect(t.logs.filter((l) => l.includes(secret))).toEqual([]);
    }
  });

  it('answers the unauthenticated API like before', async () => {
    await request(t.server).post(`/api/v1/people/${rao.id}/second-factor/reset`).expect(401);
  });
});
