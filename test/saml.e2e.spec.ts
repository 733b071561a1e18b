import * as argon2 from 'argon2';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { AuditEvent } from '../src/audit/audit-event.entity.js';
import { User } from '../src/accounts/user.entity.js';
import { Transactions } from '../src/database/transactions.js';
import { FederatedIdentity } from '../src/federation/federated-identity.entity.js';
import { SamlIdpsService } from '../src/federation/saml/saml-idps.service.js';
import { Directory } from './support/directory.js';
import { DAY, MINUTE } from './support/fake-clock.js';
import { agentFor, csrfFrom, login, type Agent } from './support/http.js';
import {
  ATTR,
  federationFeed,
  keyPair,
  TestIdp,
  type AssertionOptions,
  type KeyPairPem,
} from './support/saml-idp.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const BASE = 'http://ra.test';
const ENTITLEMENT = 'urn:mace:uni-b.example:tcs-ra:nren-admin';
const SP = { acsUrl: `${BASE}/saml/acs`, entityId: `${BASE}/saml/metadata` };

describe('SAML login', () => {
  let t: TestApp;
  let dir: Directory;
  let tmp: string;
  let fed: KeyPairPem;
  let uniA: TestIdp;
  let uniB: TestIdp;
  let feedFile: string;
  let nrenId: number;

  const alice = {
    [ATTR.eppn]: ['alice@uni-a.example'],
    [ATTR.mail]: ['alice@uni-a.example'],
    [ATTR.displayName]: ['Alice Andersson'],
  };

  function writeFeed(idps: TestIdp[], keys = fed, opts = {}): void {
    writeFileSync(
      feedFile,
      federationFeed(
        idps.map((i) => i.entityDescriptor()),
        keys,
        opts,
      ),
    );
  }

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'ra-saml-'));
    fed = await keyPair('federation.example');
    const sp = { ...SP, now: () => t.clock.now() };
    uniA = await TestIdp.create(
      'https://idp.uni-a.example/idp',
      ['uni-a.example'],
      'University of A',
      sp,
    );
    uniB = await TestIdp.create(
      'https://idp.uni-b.example/idp',
      ['uni-b.example'],
      'B Institute of Technology',
      sp,
    );
    feedFile = join(tmp, 'feed.xml');
    writeFileSync(join(tmp, 'federation.crt'), fed.cert);
    writeFeed([uniA, uniB]);
    t = await createTestApp({
      env: {
        BASE_URL: BASE,
        SAML_ENABLED: 'true',
        SAML_FEDERATION_METADATA_FILE: feedFile,
        SAML_FEDERATION_METADATA_CERT_FILE: join(tmp, 'federation.crt'),
        // The first NREN the tests create has id 1.
        SAML_ENTITLEMENT_ROLES: JSON.stringify({
          [ENTITLEMENT]: { role: 'nren-admin', scopeId: 1, idp: uniB.entityId },
        }),
      },
    });
    expect(await t.get(SamlIdpsService).refreshFeed(true)).toEqual({ kind: 'refreshed', idps: 2 });
    dir = await new Directory(t).init();
    nrenId = (await dir.nren('SURFish')).id;
    expect(nrenId).toBe(1);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  // Chooses the institution on the discovery page and returns the AuthnRequest's ID.
  async function start(agent: Agent, idp: TestIdp, next = '/'): Promise<string> {
    const page = await agent.get('/login/institution').expect(200);
    const res = await agent
      .post('/saml/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), idp: idp.entityId, next })
      .expect(303);
    const url = new URL(res.headers.location);
    expect(`${url.origin}${url.pathname}`).toBe(idp.ssoUrl);
    expect(url.searchParams.get('SigAlg')).toBe(
      'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    );
    const request = inflateRawSync(
      Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64'),
    ).toString('utf8');
    return /\sID="([^"]+)"/.exec(request)![1];
  }

  function options(id: string, over: Partial<AssertionOptions> = {}): AssertionOptions {
    return {
      inResponseTo: id,
      acsUrl: SP.acsUrl,
      audience: SP.entityId,
      now: t.clock.now(),
      attributes: alice,
      ...over,
    };
  }

  function acs(agent: Agent, samlResponse: string) {
    return agent.post('/saml/acs').type('form').send({ SAMLResponse: samlResponse });
  }

  // The whole round trip; resolves to the final response of the browser's return.
  async function roundTrip(agent: Agent, idp: TestIdp, over: Partial<AssertionOptions> = {}) {
    const id = await start(agent, idp);
    const posted = await acs(agent, idp.response(options(id, over)));
    if (posted.status !== 303) {
      return posted;
    }
    return agent.get(posted.headers.location);
  }

  async function lastRefusal(): Promise<string> {
    const event = await t.get(Transactions).manager.findOne(AuditEvent, {
      where: { action: 'login.federated-refused' },
      order: { id: 'DESC' },
    });
    return (JSON.parse(event?.detail ?? '{}') as { reason?: string }).reason ?? '';
  }

  async function linkAlice(): Promise<number> {
    const tx = t.get(Transactions);
    const existing = await tx.manager.findOneBy(FederatedIdentity, {
      subject: 'eppn:alice@uni-a.example',
    });
    if (existing) {
      return existing.userId;
    }
    const { id } = await dir.person('alice@uni-a.example', 'nren-admin', nrenId);
    await tx.manager.insert(FederatedIdentity, {
      userId: id,
      protocol: 'saml',
      subject: 'eppn:alice@uni-a.example',
      provider: uniA.entityId,
      lastLoginAt: null,
      entitledGrants: null,
    });
    return id;
  }

  it('publishes SP metadata with the entity id, the ACS and a signing key', async () => {
    const res = await agentFor(t).get('/saml/metadata').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/samlmetadata\+xml/);
    expect(res.text).toContain(`entityID="${SP.entityId}"`);
    expect(res.text).toContain(`Location="${SP.acsUrl}"`);
    expect(res.text).toMatch(/<ds:X509Certificate>MII[A-Za-z0-9+/=]+<\/ds:X509Certificate>/);
    expect(res.text).toContain('Name="urn:oid:1.3.6.1.4.1.5923.1.1.1.6"');
  });

  it('lists the federation’s institutions and filters them by name without JavaScript', async () => {
    const all = await agentFor(t).get('/login/institution').expect(200);
    expect(all.text).toContain('University of A');
    expect(all.text).toContain('B Institute of Technology');
    const filtered = await agentFor(t).get('/login/institution?q=institute').expect(200);
    expect(filtered.text).not.toContain('University of A');
    expect(filtered.text).toContain('B Institute of Technology');
    const byScope = await agentFor(t).get('/login/institution?q=uni-a.example').expect(200);
    expect(byScope.text).toContain('University of A');
    const none = await agentFor(t).get('/login/institution?q=%25').expect(200);
    expect(none.text).toContain('No institution matches');
  });

  it('logs a linked person in with a correctly signed assertion and remembers the institution', async () => {
    const userId = await linkAlice();
    const agent = agentFor(t);
    const done = await roundTrip(agent, uniA);
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/');
    await agent.get('/').expect(200);
    // Signed in as Alice: her account page shows her address.
    const account = await agent.get('/account').expect(200);
    expect(account.text).toContain('alice@uni-a.example');
    const user = await t.get(Transactions).manager.findOneByOrFail(User, { id: userId });
    expect(user.displayName).toBe('Alice Andersson');
    // The discovery page now offers the last choice first.
    const again = await agent.get('/login/institution').expect(200);
    expect(again.text).toContain('Last time you used');
  });

  describe('refuses', () => {
    beforeAll(() => linkAlice());

    async function refused(over: Partial<AssertionOptions>, reason: RegExp, idp = uniA) {
      const agent = agentFor(t);
      const res = await roundTrip(agent, idp, over);
      expect(res.status).toBe(403);
      expect(res.text).toContain('could not be accepted');
      expect(await lastRefusal()).toMatch(reason);
      // And nobody is logged in.
      await agent.get('/account').expect(303);
      return res;
    }

    it('an unsigned assertion', () => refused({ sign: 'none' }, /^Invalid signature$/));

    it('a response signed only on the outside (the assertion itself unsigned)', () =>
      refused({ sign: 'response' }, /^Invalid signature$/));

    it('an assertion signed with a key the IdP’s metadata does not hold', async () => {
      await refused({ signingKeys: await keyPair('rogue.example') }, /^Invalid signature$/);
    });

    it('an assertion signed by another IdP of the federation', () =>
      refused({ signingKeys: uniB.keys }, /^Invalid signature$/));

    it('an assertion signed with SHA-1', () =>
      refused({ sha1: true }, /weak signature algorithm .*rsa-sha1/));

    it('an assertion for another audience', () =>
      refused({ audience: 'https://other-sp.example/shibboleth' }, /audience mismatch/));

    it('an assertion for another ACS (recipient)', () =>
      refused(
        { acsUrl: 'https://other-sp.example/Shibboleth.sso/SAML2/POST', destination: SP.acsUrl },
        /Recipient/,
      ));

    it('a response addressed to another ACS (Destination)', () =>
      refused({ destination: 'https://other-sp.example/acs' }, /Destination/));

    it('an expired assertion', () =>
      refused(
        {
          notBefore: new Date(t.clock.now().getTime() - 20 * MINUTE),
          notOnOrAfter: new Date(t.clock.now().getTime() - 10 * MINUTE),
        },
        /expired/,
      ));

    it('an assertion that is not valid yet', () =>
      refused(
        {
          notBefore: new Date(t.clock.now().getTime() + 10 * MINUTE),
          notOnOrAfter: new Date(t.clock.now().getTime() + 20 * MINUTE),
        },
        /not yet valid/,
      ));

    it('an identity in a scope the IdP does not own', () =>
      // uniB, properly signing, asserts an identity in uni-a.example's scope.
      refused(
        { attributes: { ...alice, [ATTR.eppn]: ['mallory@uni-a.example'] } },
        /outside the IdP's scopes/,
        uniB,
      ));

    it('an assertion naming another issuer than the IdP asked', () =>
      refused({ issuer: uniB.entityId }, /issued by another entity/));

    it('an answer to a request that was never made (unsolicited)', async () => {
      const agent = agentFor(t);
      const res = await acs(agent, uniA.response(options('_never-asked')));
      expect(res.status).toBe(403);
      expect(await lastRefusal()).toMatch(/unsolicited/);
    });

    it('a replayed response, even from another browser', async () => {
      const agent = agentFor(t);
      const id = await start(agent, uniA);
      const response = uniA.response(options(id));
      const first = await acs(agent, response).expect(303);
      await agent.get(first.headers.location).expect(303);
      const again = await acs(agentFor(t), response);
      expect(again.status).toBe(403);
      expect(await lastRefusal()).toMatch(/replay/);
      const sameBrowser = await acs(agent, response);
      expect(sameBrowser.status).toBe(403);
    });

    it('a response finished in another browser than the one that started (login CSRF)', async () => {
      const attacker = agentFor(t);
      const id = await start(attacker, uniA);
      const posted = await acs(agentFor(t), uniA.response(options(id))).expect(303);
      const victim = agentFor(t);
      const res = await victim.get(posted.headers.location);
      expect(res.status).toBe(403);
      expect(await lastRefusal()).toMatch(/another browser/);
      await victim.get('/account').expect(303);
    });

    it('a sign-in answered after it expired', async () => {
      const agent = agentFor(t);
      const id = await start(agent, uniA);
      t.clock.advance(16 * MINUTE);
      try {
        const res = await acs(agent, uniA.response(options(id)));
        expect(res.status).toBe(403);
        expect(res.text).toContain('took too long');
      } finally {
        t.clock.advance(-16 * MINUTE);
      }
    });

    describe('signature wrapping', () => {
      async function wrapped(reason: RegExp, transform: (signed: string, evil: string) => string) {
        const agent = agentFor(t);
        const id = await start(agent, uniA);
        const genuine = uniA.responseXml(options(id));
        // An unsigned assertion for someone else, with the same ID as the signed one.
        const signedId = /<saml:Assertion[^>]* ID="([^"]+)"/.exec(genuine)![1];
        const evil = uniA.assertionXml(
          options(id, { attributes: { ...alice, [ATTR.eppn]: ['root@uni-a.example'] } }),
          signedId,
        );
        const res = await acs(agent, Buffer.from(transform(genuine, evil)).toString('base64'));
        if (res.status === 303) {
          await agent.get(res.headers.location);
        }
        expect(res.status).toBe(403);
        expect(await lastRefusal()).toMatch(reason);
        await agent.get('/account').expect(303);
      }

      it('a second, unsigned assertion beside the signed one', () =>
        wrapped(/multiple assertions/, (signed, evil) =>
          signed.replace('</samlp:Response>', `${evil}</samlp:Response>`),
        ));

      it('an unsigned assertion before the signed one', () =>
        wrapped(/multiple assertions/, (signed, evil) =>
          signed.replace(/<saml:Assertion /, `${evil}<saml:Assertion `),
        ));

      it('the signed assertion moved into an Extensions element, an evil one in its place', () =>
        wrapped(/Invalid signature/, (signed, evil) => {
          const assertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(signed)![0];
          return signed
            .replace(assertion, evil)
            .replace(
              '<samlp:Status>',
              `<samlp:Extensions>${assertion}</samlp:Extensions><samlp:Status>`,
            );
        }));

      it('the signed assertion with its attribute changed after signing', () =>
        wrapped(/^Invalid signature$/, (signed) =>
          signed.replace(
            'alice@uni-a.example</saml:AttributeValue>',
            'root@uni-a.example</saml:AttributeValue>',
          ),
        ));
    });
  });

  it('tells a person whose identity is linked to no account what to do', async () => {
    const res = await roundTrip(agentFor(t), uniB, {
      attributes: { [ATTR.eppn]: ['bob@uni-b.example'], [ATTR.mail]: ['bob@uni-b.example'] },
    });
    expect(res.status).toBe(403);
    expect(res.text).toContain('no account here is linked to that identity');
  });

  it('accepts an invitation with an institutional login instead of a password', async () => {
    await dir.create('/invitations', {
      email: 'carol@uni-b.example',
      role: 'nren-admin',
      scopeId: nrenId,
    });
    const mail = (await dir.api('get', `/outbox?to=${encodeURIComponent('carol@uni-b.example')}`))
      .body.items[0];
    const link = /(\/invitations\/accept\/[^\s]+)/.exec(mail.text)![1];
    const agent = agentFor(t);
    const form = await agent.get(link).expect(200);
    expect(form.text).toContain('Accept with my institutional login');
    const token = /name="token" value="([^"]+)"/.exec(form.text)![1];
    const toDiscovery = await agent
      .post('/invitations/accept/federated')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), token })
      .expect(303);
    expect(toDiscovery.headers.location).toBe('/login/institution');
    const carol = {
      [ATTR.subjectId]: ['c8f2a@uni-b.example'],
      [ATTR.mail]: ['carol.c@uni-b.example'],
      [ATTR.givenName]: ['Carol'],
      [ATTR.sn]: ['Carlsson'],
    };
    const done = await roundTrip(agent, uniB, { attributes: carol });
    expect(done.status).toBe(303);
    const page = await agent.get('/nrens').expect(200);
    expect(page.text).toContain('SURFish');
    const tx = t.get(Transactions);
    const user = await tx.manager.findOneByOrFail(User, { email: 'carol.c@uni-b.example' });
    expect(user.displayName).toBe('Carol Carlsson');
    expect(user.passwordHash).toBeNull();
    // The next time, a plain login through the discovery page is enough.
    const next = agentFor(t);
    expect((await roundTrip(next, uniB, { attributes: carol })).status).toBe(303);
    await next.get('/nrens').expect(200);
    // Carol has no password: her only institutional login cannot be unlinked.
    const identities = await next.get('/account/identities').expect(200);
    const identityId = /\/account\/identities\/(\d+)\/delete/.exec(identities.text)![1];
    const unlink = await next
      .post(`/account/identities/${identityId}/delete`)
      .type('form')
      .send({ _csrf: csrfFrom(identities.text) });
    expect(unlink.status).toBe(422);
    expect(unlink.text).toContain('only way you can log in');
  });

  it('links an institutional account from the account page and refuses one linked elsewhere', async () => {
    const agent = agentFor(t);
    expect((await login(agent, 'root@example.org', 'platform-admin-secret')).status).toBe(303);
    const page = await agent.get('/account/identities').expect(200);
    expect(page.text).toContain('No institutional account is linked.');
    const toDiscovery = await agent
      .post('/account/identities/link')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(303);
    const discovery = await agent.get(toDiscovery.headers.location).expect(200);
    expect(discovery.text).toContain('to link it to your account');
    const dave = { [ATTR.pairwiseId]: ['x7q9@uni-b.example'], [ATTR.mail]: ['dave@uni-b.example'] };
    const done = await roundTrip(agent, uniB, { attributes: dave });
    expect(done.headers.location).toBe('/account/identities');
    const linked = await agent.get('/account/identities').expect(200);
    expect(linked.text).toContain('pairwise-id:x7q9@uni-b.example');

    // Alice's identity is hers: nobody else can link it.
    await linkAlice();
    const again = await agent.get('/account/identities').expect(200);
    await agent
      .post('/account/identities/link')
      .type('form')
      .send({ _csrf: csrfFrom(again.text) })
      .expect(303);
    const taken = await roundTrip(agent, uniA);
    expect(taken.status).toBe(409);
    expect(taken.text).toContain('already linked to another account');

    // With a password to fall back on, the link can be undone.
    const withLink = agentFor(t);
    await login(withLink, 'root@example.org', 'platform-admin-secret');
    const list = await withLink.get('/account/identities').expect(200);
    const linkId = /\/account\/identities\/(\d+)\/delete/.exec(list.text)![1];
    await withLink
      .post(`/account/identities/${linkId}/delete`)
      .type('form')
      .send({ _csrf: csrfFrom(list.text) })
      .expect(303);
    const after = await withLink.get('/account/identities').expect(200);
    expect(after.text).toContain('The institutional account has been unlinked.');
    expect(after.text).not.toContain('pairwise-id:x7q9@uni-b.example');
  });

  it('closes password login for an NREN’s people when its administrator requires federated login', async () => {
    const { id } = await dir.person('erin@uni-a.example', 'nren-admin', nrenId);
    await t
      .get(Transactions)
      .manager.update(User, { id }, { passwordHash: await argon2.hash('erin-password-long-1') });
    expect((await login(agentFor(t), 'erin@uni-a.example', 'erin-password-long-1')).status).toBe(
      303,
    );

    const admin = agentFor(t);
    await login(admin, 'root@example.org', 'platform-admin-secret');
    const form = await admin.get(`/nrens/${nrenId}/login-policy`).expect(200);
    await admin
      .post(`/nrens/${nrenId}/login-policy`)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), federatedOnly: 'true' })
      .expect(303);

    const refused = await login(agentFor(t), 'erin@uni-a.example', 'erin-password-long-1');
    expect(refused.status).toBe(401);
    expect(refused.text).toContain('Please log in through your institution');
    // The platform administrator keeps the password.
    expect((await login(agentFor(t), 'root@example.org', 'platform-admin-secret')).status).toBe(
      303,
    );
    const audit = await t.get(Transactions).manager.findOneBy(AuditEvent, {
      action: 'nren.login-policy-changed',
    });
    expect(audit).not.toBeNull();
  });

  it('gives and takes away a role by eduPersonEntitlement, only from the IdP it is configured for', async () => {
    const frank = {
      [ATTR.eppn]: ['frank@uni-b.example'],
      [ATTR.mail]: ['frank@uni-b.example'],
      [ATTR.entitlement]: [ENTITLEMENT, 'urn:mace:dir:entitlement:common-lib-terms'],
    };
    const agent = agentFor(t);
    expect((await roundTrip(agent, uniB, { attributes: frank })).status).toBe(303);
    await agent.get(`/nrens/${nrenId}`).expect(200);

    // The same entitlement value from another IdP gives nothing.
    const mallory = {
      [ATTR.eppn]: ['mallory@uni-a.example'],
      [ATTR.mail]: ['mallory@uni-a.example'],
      [ATTR.entitlement]: [ENTITLEMENT],
    };
    expect((await roundTrip(agentFor(t), uniA, { attributes: mallory })).status).toBe(403);

    // Without the entitlement the next login loses the role it gave.
    const later = agentFor(t);
    const withoutIt = { ...frank, [ATTR.entitlement]: [] };
    expect((await roundTrip(later, uniB, { attributes: withoutIt })).status).toBe(303);
    await later.get(`/nrens/${nrenId}`).expect(404);
  });

  describe('federation metadata', () => {
    afterEach(() => writeFeed([uniA, uniB]));

    it('keeps the IdPs it has when the new feed’s signature does not verify', async () => {
      const rogue = await keyPair('rogue-federation.example');
      const evil = await TestIdp.create(
        'https://idp.evil.example/idp',
        ['uni-a.example'],
        'Evil U',
        {
          ...SP,
          now: () => t.clock.now(),
        },
      );
      writeFeed([uniA, uniB, evil], rogue);
      const outcome = await t.get(SamlIdpsService).refreshFeed(true);
      expect(outcome).toEqual({ kind: 'failed', reason: 'bad signature' });
      expect(await t.get(SamlIdpsService).find(evil.entityId)).toBeNull();
      expect(await t.get(SamlIdpsService).find(uniA.entityId)).not.toBeNull();
    });

    it('refuses a feed changed after it was signed', async () => {
      writeFeed([uniA, uniB]);
      const { readFileSync } = await import('node:fs');
      const tampered = readFileSync(feedFile, 'utf8').replace(
        'B Institute of Technology',
        'B Institute of Phishing',
      );
      writeFileSync(feedFile, tampered);
      expect(await t.get(SamlIdpsService).refreshFeed(true)).toEqual({
        kind: 'failed',
        reason: 'bad signature',
      });
      const page = await agentFor(t).get('/login/institution').expect(200);
      expect(page.text).not.toContain('Phishing');
    });

    it('refuses an unsigned feed and one past its validUntil', async () => {
      writeFileSync(
        feedFile,
        `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${uniA.entityDescriptor()}</md:EntitiesDescriptor>`,
      );
      expect(await t.get(SamlIdpsService).refreshFeed(true)).toEqual({
        kind: 'failed',
        reason: 'unsigned',
      });
      writeFeed([uniA], fed, { validUntil: new Date(t.clock.now().getTime() - DAY) });
      expect(await t.get(SamlIdpsService).refreshFeed(true)).toEqual({
        kind: 'failed',
        reason: 'expired',
      });
      expect(await t.get(SamlIdpsService).count()).toBe(2);
    });

    it('stops offering IdPs once the feed they came from is past its validUntil', async () => {
      writeFeed([uniA, uniB], fed, { validUntil: new Date(t.clock.now().getTime() + DAY) });
      expect(await t.get(SamlIdpsService).refreshFeed(true)).toMatchObject({ kind: 'refreshed' });
      t.clock.advance(2 * DAY);
      try {
        expect(await t.get(SamlIdpsService).count()).toBe(0);
      } finally {
        t.clock.advance(-2 * DAY);
      }
    });
  });
});
