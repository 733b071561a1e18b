import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { AccountsService } from '../src/accounts/accounts.service.js';
import { ADMIN, agentFor, login } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('when something breaks', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: {
        NODE_ENV: 'production',
        SESSION_SECRET: 's'.repeat(40),
        SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
        // Production asks administrators for a second factor first; not what this is about.
        TOTP_REQUIRED: 'false',
      },
    });
    await t
      .get(AccountsService)
      .createAdmin(ADMIN.email, ADMIN.password, { id: null, label: 'cli' });
  });
  afterAll(() => t.close());

  it('shows a localised 500 page with a reference, no stack trace, and logs the cause', async () => {
    const agent = agentFor(t);
    await login(agent, ADMIN.email, ADMIN.password);
    await agent.get('/account?lang=fr').expect(200);
    const ds = t.app.get<DataSource>(getDataSourceToken());
    await ds.destroy();
    try {
      const res = await agent.get('/account').set('X-Request-Id', 'ref-500-test').expect(500);
      expect(res.text).toContain('<html lang="fr">');
      expect(res.text).toContain('ref-500-test');
      expect(res.text).not.toMatch(/at [\w.]+ \(/);
      expect(t.logs.join('')).toContain('"reqId":"ref-500-test"');
      const api = await request(t.server)
        .get('/api/v1/me')
        .set('Authorization', 'Bearer ra_whatever')
        .expect(500);
      expect(api.body).toMatchObject({ status: 500, code: 'internal' });
    } finally {
      await ds.initialize();
    }
  });
});
