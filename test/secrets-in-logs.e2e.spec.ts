import request from 'supertest';
import { redactUrl } from '../src/common/logger.js';
import { Directory } from './support/directory.js';
import { agentFor, csrfFrom, login } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// Whoever reads the logs must not be able to accept an invitation, validate a domain, log in
// or call the API: after every request that carries a secret, no log line holds it.
describe('secrets stay out of the logs', () => {
  let t: TestApp;
  let dir: Directory;

  beforeAll(async () => {
    t = await createTestApp();
    dir = await new Directory(t).init();
  });
  afterAll(() => t.close());

  function expectNotLogged(...secrets: string[]): void {
    expect(t.logs.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      const leaking = t.logs.filter((line) => line.includes(secret));
      expect(leaking).toEqual([]);
    }
  }

  async function lastMailTo(address: string): Promise<string> {
    const res = await dir.api('get', `/outbox?to=${encodeURIComponent(address)}`);
    return (res.body as { items: { text: string }[] }).items[0].text;
  }

  function linkIn(text: string, path: string): { link: string; token: string } {
    const match = new RegExp(`https?://[^\\s]+(${path}([^\\s/?]+))`).exec(text);
    if (!match) {
      throw new Error(`no ${path} link in: ${text}`);
    }
    return { link: match[1], token: match[2] };
  }

  it('an invitation link, its form and the password chosen there', async () => {
    const nren = await dir.nren('LOGNET');
    await dir.api('post', '/invitations', {
      email: 'newcomer@lognet.example',
      role: 'nren-admin',
      scopeId: nren.id,
      language: 'en',
    });
    const { link, token } = linkIn(
      await lastMailTo('newcomer@lognet.example'),
      '/invitations/accept/',
    );
    const agent = agentFor(t);
    const form = await agent.get(link).expect(200);
    expect(form.text).toContain('newcomer@lognet.example');
    expectNotLogged(token);
    // A link from before tokens moved into the path still works, and is not logged either.
    await agent.get(`/invitations/accept?token=${token}`).expect(200);
    expectNotLogged(token);
    const password = 'violet-harbour-lantern-42';
    await agent
      .post('/invitations/accept')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), token, displayName: 'New Comer', password })
      .expect(303);
    expectNotLogged(token, password);
    // Someone who already has an account is sent to log in first, the link in ?next=.
    await dir.api('post', '/invitations', {
      email: 'root@example.org',
      role: 'nren-admin',
      scopeId: nren.id,
      language: 'en',
    });
    const second = linkIn(await lastMailTo('root@example.org'), '/invitations/accept/');
    const existing = await agentFor(t).get(second.link).expect(200);
    const loginLink = /href="(\/login\?next=[^"]+)"/.exec(existing.text)![1].replace(/&amp;/g, '&');
    expect(loginLink).toContain(second.token);
    await agentFor(t).get(loginLink).expect(200);
    expectNotLogged(second.token);
    // Used now: the failed look-up is not logged with the token either.
    await agentFor(t).get(link).expect(404);
    expectNotLogged(token, password);
  });

  it('a domain validation link and its confirmation', async () => {
    const nren = await dir.nren('DOMNET');
    const org = await dir.organisation(nren.id, 'Log University');
    const domain = await dir.domain(org.id, 'logs-uni.example.org');
    const sent = await dir.api('post', `/domains/${domain.id}/validation-email`, {
      localPart: 'hostmaster',
    });
    expect(sent.status).toBe(201);
    const { link, token } = linkIn(
      await lastMailTo('hostmaster@logs-uni.example.org'),
      '/domain-validation/',
    );
    const agent = agentFor(t);
    const page = await agent.get(link).expect(200);
    expectNotLogged(token);
    await agent
      .post('/domain-validation')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), token })
      .expect(200);
    expectNotLogged(token);
    await agentFor(t).get(link).expect(404);
    expectNotLogged(token);
  });

  it('passwords at login, right and wrong', async () => {
    const wrong = 'a-wrong-guess-for-root';
    expect((await login(agentFor(t), 'root@example.org', wrong)).status).toBe(401);
    expect((await login(agentFor(t), 'root@example.org', 'platform-admin-secret')).status).toBe(
      303,
    );
    expectNotLogged(wrong, 'platform-admin-secret');
  });

  it('API tokens, created on the account page and through the API, and used', async () => {
    const agent = agentFor(t);
    await login(agent, 'root@example.org', 'platform-admin-secret');
    const account = await agent.get('/account').expect(200);
    const created = await agent
      .post('/account/tokens')
      .type('form')
      .send({ _csrf: csrfFrom(account.text), name: 'laptop' })
      .expect(200);
    const shown = /id="token-secret"[^>]*value="([^"]+)"/.exec(created.text)![1];
    const viaApi = await dir.api('post', '/tokens', { name: 'script' });
    expect(viaApi.status).toBe(201);
    const secret = (viaApi.body as { token: string }).token;
    await request(t.server).get('/api/v1/me').set('Authorization', `Bearer ${secret}`);
    // A token sent where it does not belong, in the query, is not logged either.
    await request(t.server).get(`/api/v1/me?token=${secret}`).expect(401);
    expectNotLogged(shown, secret);
  });
});

describe('redactUrl', () => {
  it.each([
    ['/invitations/accept/abc123secret', '/invitations/accept/[redacted]'],
    ['/domain-validation/abc123secret?lang=fr', '/domain-validation/[redacted]?lang=fr'],
    ['/invitations/accept?token=abc&lang=de', '/invitations/accept?token=[redacted]&lang=de'],
    ['/x?Password=p&next=%2F', '/x?Password=[redacted]&next=%2F'],
    ['/organisations/3', '/organisations/3'],
    [
      '/login?next=%2Finvitations%2Faccept%2Fabc123secret',
      '/login?next=%2Finvitations%2Faccept%2F%5Bredacted%5D',
    ],
    [
      '/login?next=%2Finvitations%2Faccept%3Ftoken%3Dabc',
      '/login?next=%2Finvitations%2Faccept%3Ftoken%3D%5Bredacted%5D',
    ],
    ['/login?next=%2Faccount', '/login?next=%2Faccount'],
  ])('%s is logged as %s', (url, logged) => {
    expect(redactUrl(url)).toBe(logged);
  });
});
