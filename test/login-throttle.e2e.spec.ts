import request from 'supertest';
import { AccountsService } from '../src/accounts/accounts.service.js';
import { AuditEvent } from '../src/audit/audit-event.entity.js';
import { Transactions } from '../src/database/transactions.js';
import { ADMIN, csrfFrom } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const CLI = { id: null, label: 'cli' };
const ENV = {
  SESSION_SECRET: 's'.repeat(40),
  TRUST_PROXY: 'true',
  LOGIN_MAX_FAILURES: '5',
  LOGIN_ACCOUNT_MAX_FAILURES: '12',
};

// A login form (CSRF cookie and token) fetched once, then posted from a given address.
async function loginForm(t: TestApp) {
  const page = await request(t.server).get('/login').expect(200);
  const cookie = String(page.headers['set-cookie']).split(';')[0];
  const csrf = csrfFrom(page.text);
  return (password: string, from: string, server = t.server) =>
    request(server)
      .post('/login')
      .set('Cookie', cookie)
      .set('X-Forwarded-For', from)
      .type('form')
      .send({ email: ADMIN.email, password, _csrf: csrf })
      .then((r) => r.status);
}

const tally = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

describe('login throttling', () => {
  let a: TestApp;
  let b: TestApp;

  beforeEach(async () => {
    a = await createTestApp({ env: ENV });
    // A second instance on the same database and clock.
    b = await createTestApp({ db: a.db, clock: a.clock, env: ENV });
    await a.get(AccountsService).createAdmin(ADMIN.email, ADMIN.password, CLI);
  });
  afterEach(async () => {
    await b.close();
    await a.close();
  });

  const passwordChecks = () =>
    a.get(Transactions).manager.countBy(AuditEvent, { action: 'login.failed' });

  it('checks no more passwords than the limit when guesses arrive at once, on two instances', async () => {
    const post = await loginForm(a);
    const statuses = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        post(`wrong-guess-number-${i}`, '203.0.113.9', i % 2 ? b.server : a.server),
      ),
    );
    expect(tally(statuses)).toEqual({ 401: 5, 429: 19 });
    expect(await passwordChecks()).toBe(5);
  });

  it('a stranger guessing from another address does not lock the owner out', async () => {
    const post = await loginForm(a);
    const stranger = [];
    for (let i = 0; i < 8; i++) {
      stranger.push(await post(`stranger-guess-${i}`, '203.0.113.9'));
    }
    expect(tally(stranger)).toEqual({ 401: 5, 429: 3 });
    expect(await post(ADMIN.password, '203.0.113.9')).toBe(429);
    // The owner, on their usual address, gets in at once.
    expect(await post(ADMIN.password, '198.51.100.7')).toBe(303);
  });

  it('slows the account down everywhere only at the much higher account-wide count', async () => {
    const post = await loginForm(a);
    // Twelve failures from three addresses: each address stays under its own limit.
    for (const from of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      for (let i = 0; i < 4; i++) {
        expect(await post(`spread-guess-${i}`, from)).toBe(401);
      }
    }
    expect(await post(ADMIN.password, '198.51.100.7')).toBe(429);
    a.clock.advance(16_000);
    expect(await post(ADMIN.password, '198.51.100.7')).toBe(303);
  });
});
