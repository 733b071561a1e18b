import request from 'supertest';
import { AuditEvent } from '../src/audit/audit-event.entity.js';
import { Transactions } from '../src/database/transactions.js';
import { FederatedIdentity } from '../src/federation/federated-identity.entity.js';
import { Directory } from './support/directory.js';
import { MINUTE } from './support/fake-clock.js';
import { agentFor, csrfFrom, type Agent } from './support/http.js';
import { TestOidcProvider, type TokenTweaks } from './support/oidc-provider.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const BASE = 'http://ra.test';

describe('OpenID Connect login', () => {
  let t: TestApp;
  let op: TestOidcProvider;
  let dir: Directory;

  beforeAll(async () => {
    op = await TestOidcProvider.start(() => t.clock.now());
    t = await createTestApp({
      env: {
        BASE_URL: BASE,
        OIDC_ISSUER: op.issuer,
        OIDC_CLIENT_ID: op.clientId,
        OIDC_CLIENT_SECRET: op.clientSecret,
        OIDC_DISPLAY_NAME: 'Test Federation',
        OIDC_ALLOW_HTTP: 'true',
      },
    });
    dir = await new Directory(t).init();
    const nren = await dir.nren('Funetish');
    const { id } = await dir.person('olivia@uni.example', 'nren-admin', nren.id);
    await t.get(Transactions).manager.insert(FederatedIdentity, {
      userId: id,
      protocol: 'oidc',
      subject: `${op.issuer}#olivia-1`,
      provider: op.issuer,
      lastLoginAt: null,
      entitledGrants: null,
    });
    op.user = { sub: 'olivia-1', email: 'olivia@uni.example', name: 'Olivia Olsen' };
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await op?.close();
  });
  afterEach(() => {
    op.tweaks = {};
  });

  async function lastRefusal(): Promise<string> {
    const event = await t.get(Transactions).manager.findOne(AuditEvent, {
      where: { action: 'login.federated-refused' },
      order: { id: 'DESC' },
    });
    return (JSON.parse(event?.detail ?? '{}') as { reason?: string }).reason ?? '';
  }

  // Starts at the discovery page; returns the callback path the provider sends the browser to.
  async function authorize(agent: Agent): Promise<string> {
    const page = await agent.get('/login/institution').expect(200);
    expect(page.text).toContain('Log in with Test Federation');
    const started = await agent
      .post('/oidc/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), next: '/account' })
      .expect(303);
    const at = new URL(started.headers.location);
    expect(at.origin).toBe(op.issuer);
    expect(at.searchParams.get('code_challenge_method')).toBe('S256');
    expect(at.searchParams.get('redirect_uri')).toBe(`${BASE}/oidc/callback`);
    const back = await request(op.issuer).get(`${at.pathname}${at.search}`).expect(302);
    const callback = new URL(back.headers.location);
    return `${callback.pathname}${callback.search}`;
  }

  async function login(agent: Agent) {
    const callback = await agent.get(await authorize(agent));
    if (callback.status !== 303) {
      return callback;
    }
    return agent.get(callback.headers.location);
  }

  it('logs a linked person in with authorization code and PKCE', async () => {
    const agent = agentFor(t);
    const done = await login(agent);
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/account');
    const account = await agent.get('/account').expect(200);
    expect(account.text).toContain('olivia@uni.example');
  });

  describe('refuses', () => {
    async function refused(tweaks: TokenTweaks, reason: RegExp) {
      op.tweaks = tweaks;
      const agent = agentFor(t);
      const res = await login(agent);
      expect(res.status).toBe(403);
      expect(await lastRefusal()).toMatch(reason);
      await agent.get('/account').expect(303);
    }

    it('an ID token signed with a key not in the provider’s JWKS', () =>
      refused({ signWithUnknownKey: true }, /signature/i));

    it('an unsigned ID token (alg none)', () =>
      refused({ unsigned: true }, /invalid response|alg|signature/i));

    it('an ID token from another issuer', () =>
      refused({ iss: 'https://evil.example' }, /claim iss/));

    it('an ID token for another client (audience)', () =>
      refused({ aud: 'someone-else' }, /claim aud/));

    it('an ID token with another nonce', () => refused({ nonce: 'replayed-nonce' }, /claim nonce/));

    it('an expired ID token', () => refused({ expiresInSeconds: -10 * 60 }, /claim exp/));

    it('a callback in another browser than the one that started', async () => {
      const path = await authorize(agentFor(t));
      const res = await agentFor(t).get(path);
      expect(res.status).toBe(403);
      expect(await lastRefusal()).toMatch(/another browser/);
    });

    it('a callback used twice', async () => {
      const agent = agentFor(t);
      const path = await authorize(agent);
      await agent.get(path).expect(303);
      const again = await agent.get(path);
      expect(again.status).toBe(403);
      expect(await lastRefusal()).toMatch(/replay/);
    });

    it('a code issued for another sign-in (PKCE verifier does not match)', async () => {
      const victim = agentFor(t);
      const victimPath = await authorize(victim);
      const agent = agentFor(t);
      const ownPath = new URL(await authorize(agent), BASE);
      const victimCode = new URL(victimPath, BASE).searchParams.get('code')!;
      ownPath.searchParams.set('code', victimCode);
      const res = await agent.get(`${ownPath.pathname}${ownPath.search}`);
      expect(res.status).toBe(403);
      expect(await lastRefusal()).toMatch(/invalid_grant/);
    });

    it('a sign-in that took too long', async () => {
      const agent = agentFor(t);
      const path = await authorize(agent);
      t.clock.advance(16 * MINUTE);
      try {
        const res = await agent.get(path);
        expect(res.status).toBe(403);
        expect(res.text).toContain('took too long');
      } finally {
        t.clock.advance(-16 * MINUTE);
      }
    });
  });
});
