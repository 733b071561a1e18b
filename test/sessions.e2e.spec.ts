import request from 'supertest';
import { AuditEvent } from '../src/audit/audit-event.entity.js';
import { Transactions } from '../src/database/transactions.js';
import { SessionRecord } from '../src/sessions/session.entity.js';
import { SessionsService } from '../src/sessions/sessions.service.js';
import { Directory } from './support/directory.js';
import { TestDnsServer } from './support/dns-server.js';
import { MINUTE } from './support/fake-clock.js';
import { TestHttpSite } from './support/http-site.js';
import { agentFor, csrfFrom, login } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const ROOT = { email: 'root@example.org', password: 'platform-admin-secret' };

describe('sessions', () => {
  let t: TestApp;
  let dir: Directory;
  let dns: TestDnsServer;
  let site: TestHttpSite;

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    site = await TestHttpSite.start();
    t = await createTestApp({
      env: {
        DCV_DNS_SERVERS: dns.address,
        DCV_HTTP_PORT: String(site.port),
        DCV_TIMEOUT: '1.5',
        DCV_ALLOW_PRIVATE_ADDRESSES: 'true',
      },
    });
    dir = await new Directory(t).init();
  });
  afterAll(async () => {
    await t.close();
    await dns.close();
    await site.close();
  });

  const count = (entity: typeof SessionRecord | typeof AuditEvent) =>
    t.get(Transactions).manager.count(entity);

  it('a request still running at logout cannot sign the old cookie in again', async () => {
    const nren = await dir.nren('RACENET');
    const org = await dir.organisation(nren.id, 'Race University');
    const domain = await dir.domain(org.id, 'slow-race.example.org');
    dns.set('slow-race.example.org', { A: ['127.0.0.1'] });
    // The HTTP check waits for a server that never answers: a request of a second and a half.
    const detail = (await dir.api('get', `/domains/${domain.id}`)).body as {
      challenges: { method: string; url: string }[];
    };
    const http = detail.challenges.find((c) => c.method === 'http')!;
    site.set('slow-race.example.org', new URL(http.url).pathname, { hang: true });
    const agent = agentFor(t);
    expect((await login(agent, ROOT.email, ROOT.password)).status).toBe(303);
    const page = await agent.get(`/domains/${domain.id}`).expect(200);
    const csrf = csrfFrom(page.text);
    const cookie = String(page.request.cookies);

    const slow = request(t.server)
      .post(`/domains/${domain.id}/check`)
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrf, method: 'http' })
      .then((r) => r);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await request(t.server)
      .post('/logout')
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrf })
      .expect(303);
    await request(t.server).get('/account').set('Cookie', cookie).expect(303);
    // The slow request ends after the logout and saves its session (a flash message).
    const started = Date.now();
    expect((await slow).status).toBe(303);
    expect(Date.now() - started).toBeGreaterThan(500);
    await request(t.server).get('/account').set('Cookie', cookie).expect(303);
  });

  it('anonymous pages write nothing to the database, and their forms still work', async () => {
    const sessions = await count(SessionRecord);
    const audit = await count(AuditEvent);
    for (const path of ['/login', '/', '/login?next=%2Faccount', '/no/such/page', '/account']) {
      await request(t.server).get(path);
    }
    const visitor = agentFor(t);
    const page = await visitor.get('/login').expect(200);
    expect(await count(SessionRecord)).toBe(sessions);
    expect(await count(AuditEvent)).toBe(audit);
    // The login form's CSRF token lives in a cookie of its own, signed, not in a session.
    expect(String(page.headers['set-cookie'])).not.toContain('ra.sid');
    const res = await visitor
      .post('/login')
      .type('form')
      .send({ email: ROOT.email, password: ROOT.password, _csrf: csrfFrom(page.text) })
      .expect(303);
    expect(String(res.headers['set-cookie'])).toContain('ra.sid');
    expect(await count(SessionRecord)).toBe(sessions + 1);
  });

  it('a CSRF token is worthless with another visitor’s cookie or in another session', async () => {
    const one = agentFor(t);
    const two = agentFor(t);
    const tokenOfOne = csrfFrom((await one.get('/login')).text);
    await two.get('/login');
    await two
      .post('/login')
      .type('form')
      .send({ email: ROOT.email, password: ROOT.password, _csrf: tokenOfOne })
      .expect(403);
    // No cookie at all: the token alone is not enough.
    await request(t.server)
      .post('/login')
      .type('form')
      .send({ email: ROOT.email, password: ROOT.password, _csrf: tokenOfOne })
      .expect(403);
    // Signed in, the token is bound to the session: the login page's token no longer works.
    expect((await login(one, ROOT.email, ROOT.password)).status).toBe(303);
    await one.post('/logout').type('form').send({ _csrf: tokenOfOne }).expect(403);
    const account = await one.get('/account').expect(200);
    await one
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfFrom(account.text) })
      .expect(303);
  });

  it('prunes sessions that have passed their idle timeout', async () => {
    const agent = agentFor(t);
    await login(agent, ROOT.email, ROOT.password);
    const before = await count(SessionRecord);
    expect(before).toBeGreaterThan(0);
    t.clock.advance(31 * MINUTE);
    const pruned = await t.get(SessionsService).prune(t.clock.now());
    expect(pruned.sessions).toBe(before);
    expect(await count(SessionRecord)).toBe(0);
  });
});
