import request from 'supertest';
import { AccountsService } from '../src/accounts/accounts.service.js';
import { ADMIN, csrfFrom } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// Two application instances on one database: whatever one knows, the other knows.
describe('several instances on one database', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await createTestApp({ env: { SESSION_SECRET: 'x'.repeat(40), LOGIN_MAX_FAILURES: '2' } });
    b = await createTestApp({
      db: a.db,
      clock: a.clock,
      env: { SESSION_SECRET: 'x'.repeat(40), LOGIN_MAX_FAILURES: '2' },
    });
    await a
      .get(AccountsService)
      .createAdmin(ADMIN.email, ADMIN.password, { id: null, label: 'cli' });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('shares sessions and CSRF tokens: log in on one, carry on on the other', async () => {
    const page = await request(a.server).get('/login');
    const cookie = page.headers['set-cookie'][0].split(';')[0];
    const res = await request(b.server)
      .post('/login')
      .set('Cookie', cookie)
      .type('form')
      .send({ email: ADMIN.email, password: ADMIN.password, _csrf: csrfFrom(page.text) })
      .expect(303);
    const session = res.headers['set-cookie'][0].split(';')[0];
    await request(a.server).get('/account').set('Cookie', session).expect(200);
  });

  it('counts failed logins across instances', async () => {
    const attempt = async (server: TestApp['server']) => {
      const page = await request(server).get('/login');
      const cookie = page.headers['set-cookie'][0].split(';')[0];
      return request(server)
        .post('/login')
        .set('Cookie', cookie)
        .type('form')
        .send({
          email: 'guess@example.org',
          password: 'wrong-guess-here',
          _csrf: csrfFrom(page.text),
        });
    };
    expect((await attempt(a.server)).status).toBe(401);
    expect((await attempt(b.server)).status).toBe(401);
    expect((await attempt(a.server)).status).toBe(429);
  });
});
