import request from 'supertest';
import { AccountsService } from '../src/accounts/accounts.service.js';
import { ADMIN, agentFor, login } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const CLI = { id: null, label: 'cli' };

describe('security headers', () => {
  it('sends a CSP and no HSTS when served over plain HTTP', async () => {
    const t = await createTestApp();
    try {
      const res = await request(t.server).get('/login').expect(200);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['set-cookie']?.[0]).toMatch(/HttpOnly; SameSite=Lax/);
    } finally {
      await t.close();
    }
  });

  it('sends HSTS and secure cookies when BASE_URL is https', async () => {
    const t = await createTestApp({
      env: { BASE_URL: 'https://ra.example.org', TRUST_PROXY: 'true' },
    });
    try {
      const res = await request(t.server)
        .get('/login')
        .set('X-Forwarded-Proto', 'https')
        .expect(200);
      expect(res.headers['strict-transport-security']).toContain('max-age=31536000');
      expect(res.headers['set-cookie']?.[0]).toContain('Secure');
    } finally {
      await t.close();
    }
  });
});

describe('pages for errors', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.get(AccountsService).createAdmin(ADMIN.email, ADMIN.password, CLI);
  });
  afterAll(() => t.close());

  it('shows a localised 404 page inside the layout', async () => {
    const agent = agentFor(t);
    await login(agent, ADMIN.email, ADMIN.password);
    const res = await agent.get('/no/such/page?lang=de').expect(404);
    expect(res.text).toContain('<html lang="de">');
    expect(res.text).toContain('Nicht gefunden');
  });

  it('answers unknown API paths with a JSON problem', async () => {
    const { secret } = await t.get(AccountsService).createToken(ADMIN.email, 'x', CLI);
    const res = await request(t.server)
      .get('/api/v1/nothing')
      .set('Authorization', `Bearer ${secret}`)
      .expect(404);
    expect(res.body).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('refuses an oversized form body with 413', async () => {
    const res = await request(t.server)
      .post('/login')
      .type('form')
      .send({ email: 'a@example.org', password: 'x'.repeat(200_000) });
    expect(res.status).toBe(413);
  });
});

describe('logs', () => {
  it('carry a request id and never a password, token or cookie', async () => {
    const t = await createTestApp();
    try {
      await t.get(AccountsService).createAdmin(ADMIN.email, ADMIN.password, CLI);
      const { secret } = await t.get(AccountsService).createToken(ADMIN.email, 'x', CLI);
      const agent = agentFor(t);
      await login(agent, ADMIN.email, ADMIN.password);
      await agent.get('/account');
      const res = await request(t.server)
        .get('/api/v1/me')
        .set('Authorization', `Bearer ${secret}`)
        .set('X-Request-Id', 'trace-me-123');
      expect(res.headers['x-request-id']).toBe('trace-me-123');
      const all = t.logs.join('');
      expect(all).toContain('"id":"trace-me-123"');
      expect(all).not.toContain(ADMIN.password);
      expect(all).not.toContain(secret);
      expect(all).not.toMatch(/ra\.sid=s%3A/);
    } finally {
      await t.close();
    }
  });
});
