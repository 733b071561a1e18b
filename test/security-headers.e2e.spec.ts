import request from 'supertest';
import { AccountsService } from '../src/accounts/accounts.service.js';
import { ADMIN, agentFor, csrfFrom, login } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const CLI = { id: null, label: 'cli' };

describe('what browsers and proxies are told', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    await t.get(AccountsService).createAdmin(ADMIN.email, ADMIN.password, CLI);
  });
  afterAll(() => t.close());

  it('keeps no copy of a page that shows a new API token, nor of API answers', async () => {
    const agent = agentFor(t);
    await login(agent, ADMIN.email, ADMIN.password);
    const account = await agent.get('/account').expect(200);
    expect(account.headers['cache-control']).toBe('no-store');
    const created = await agent
      .post('/account/tokens')
      .type('form')
      .send({ _csrf: csrfFrom(account.text), name: 'shared-computer' })
      .expect(200);
    expect(created.text).toContain('token-secret');
    expect(created.headers['cache-control']).toBe('no-store');
    const { secret } = await t.get(AccountsService).createToken(ADMIN.email, 'api', CLI);
    const me = await request(t.server)
      .get('/api/v1/me')
      .set('Authorization', `Bearer ${secret}`)
      .expect(200);
    expect(me.headers['cache-control']).toBe('no-store');
    // Static files may still be cached.
    const css = await request(t.server).get('/static/css/app.css');
    expect(css.headers['cache-control']).not.toBe('no-store');
  });

  it('forbids framing in both ways browsers understand', async () => {
    const res = await request(t.server).get('/login').expect(200);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    // Tokens travel in paths now: they must not leave in a Referer header either.
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('language links stay on this site, whatever path was asked for', async () => {
    for (const path of ['//evil.example/x', '/\\evil.example/x', '///evil.example']) {
      const res = await request(t.server).get(path);
      const links = [...res.text.matchAll(/href="([^"]*)"[^>]*hreflang=/g)].map((m) => m[1]);
      expect(links.length).toBeGreaterThan(0);
      for (const href of links) {
        expect(href).toMatch(/^\/(?![/\\])/);
      }
    }
  });
});
