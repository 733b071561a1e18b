import request from 'supertest';
import { AccountsService } from '../src/accounts/accounts.service.js';
import { ADMIN, agentFor, csrfFrom, login } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const CLI = { id: null, label: 'cli' };

describe('API tokens', () => {
  let t: TestApp;
  let accounts: AccountsService;

  beforeAll(async () => {
    t = await createTestApp();
    accounts = t.get(AccountsService);
    await accounts.createAdmin(ADMIN.email, ADMIN.password, CLI);
  });
  afterAll(() => t.close());

  it('answers 401 with a problem body without a token or with a wrong one', async () => {
    const none = await request(t.server).get('/api/v1/me').expect(401);
    expect(none.headers['content-type']).toContain('application/problem+json');
    expect(none.body).toMatchObject({ status: 401, code: 'unauthenticated' });
    await request(t.server)
      .get('/api/v1/me')
      .set('Authorization', 'Bearer ra_not-a-real-token')
      .expect(401);
  });

  it('accepts a token made for an account, and stops accepting it once revoked', async () => {
    const { token, secret } = await accounts.createToken(ADMIN.email, 'deploy script', CLI);
    const me = await request(t.server)
      .get('/api/v1/me')
      .set('Authorization', `Bearer ${secret}`)
      .expect(200);
    expect(me.body).toMatchObject({
      email: ADMIN.email,
      roles: [{ role: 'platform-admin', scopeId: 0 }],
    });

    const list = await request(t.server)
      .get('/api/v1/tokens')
      .set('Authorization', `Bearer ${secret}`)
      .expect(200);
    expect(list.body).toEqual([expect.objectContaining({ id: token.id, name: 'deploy script' })]);
    expect(JSON.stringify(list.body)).not.toContain(secret);

    await request(t.server)
      .delete(`/api/v1/tokens/${token.id}`)
      .set('Authorization', `Bearer ${secret}`)
      .expect(204);
    await request(t.server).get('/api/v1/me').set('Authorization', `Bearer ${secret}`).expect(401);
  });

  it('never lets a session cookie open the API (no CSRF route into it)', async () => {
    const agent = agentFor(t);
    await login(agent, ADMIN.email, ADMIN.password);
    await agent.get('/account').expect(200);
    await agent.get('/api/v1/me').expect(401);
  });

  it('lets a user create a token on the account page, shows it once, and revoke it', async () => {
    const agent = agentFor(t);
    await login(agent, ADMIN.email, ADMIN.password);
    const page = await agent.get('/account').expect(200);
    const created = await agent
      .post('/account/tokens')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'laptop' })
      .expect(200);
    const secret = /value="(ra_[^"]+)"/.exec(created.text)?.[1];
    expect(secret).toBeDefined();
    await request(t.server).get('/api/v1/me').set('Authorization', `Bearer ${secret}`).expect(200);

    const again = await agent.get('/account').expect(200);
    expect(again.text).toContain('laptop');
    expect(again.text).not.toContain(secret!);
    const id = /action="\/account\/tokens\/(\d+)\/revoke"/.exec(again.text)?.[1];
    await agent
      .post(`/account/tokens/${id}/revoke`)
      .type('form')
      .send({ _csrf: csrfFrom(again.text) })
      .expect(303);
    await request(t.server).get('/api/v1/me').set('Authorization', `Bearer ${secret}`).expect(401);
  });

  it('keeps the typed name and explains the problem when a token name is too long', async () => {
    const agent = agentFor(t);
    await login(agent, ADMIN.email, ADMIN.password);
    const page = await agent.get('/account');
    const name = 'x'.repeat(101);
    const res = await agent
      .post('/account/tokens')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name })
      .expect(422);
    expect(res.text).toContain('at most 100 characters');
    expect(res.text).toContain(`value="${name}"`);
  });

  it('names the field in the problem body when the API is given a bad token name', async () => {
    const { secret } = await accounts.createToken(ADMIN.email, 'api', CLI);
    const res = await request(t.server)
      .post('/api/v1/tokens')
      .set('Authorization', `Bearer ${secret}`)
      .set('Accept-Language', 'de')
      .send({ name: '' })
      .expect(422);
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        field: 'name',
        code: 'required',
        message: expect.not.stringMatching(/required/),
      }),
    ]);
  });

  it("refuses a revoke of someone else's token as if it did not exist", async () => {
    const other = await accounts.createAdmin(
      'other@example.org',
      'a-different-long-passphrase',
      CLI,
    );
    const { token } = await accounts.createTokenFor(other.id, 'theirs', CLI);
    const { secret } = await accounts.createToken(ADMIN.email, 'mine', CLI);
    const res = await request(t.server)
      .delete(`/api/v1/tokens/${token.id}`)
      .set('Authorization', `Bearer ${secret}`)
      .expect(404);
    expect(res.body.code).toBe('not_found');
  });
});
