import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { inflateRawSync } from 'node:zlib';
import { Transactions } from '../src/database/transactions.js';
import { FederatedIdentity } from '../src/federation/federated-identity.entity.js';
import { SamlIdpsService } from '../src/federation/saml/saml-idps.service.js';
import { Directory } from './support/directory.js';
import { csrfFrom } from './support/http.js';
import { ATTR, federationFeed, keyPair, TestIdp } from './support/saml-idp.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const BASE = 'http://ra.test';
const SP = { acsUrl: `${BASE}/saml/acs`, entityId: `${BASE}/saml/metadata` };

// Two instances behind one name: the IdP's answer may reach either, and each answer counts once.
describe('SAML across several instances on one database', () => {
  let a: TestApp;
  let b: TestApp;
  let idp: TestIdp;
  let tmp: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'ra-saml-inst-'));
    idp = await TestIdp.create(
      'https://idp.uni-a.example/idp',
      ['uni-a.example'],
      'University of A',
      {
        ...SP,
        now: () => a.clock.now(),
      },
    );
    const fed = await keyPair('federation.example');
    writeFileSync(join(tmp, 'fed.crt'), fed.cert);
    writeFileSync(join(tmp, 'feed.xml'), federationFeed([idp.entityDescriptor()], fed));
    const env = {
      BASE_URL: BASE,
      SESSION_SECRET: 'y'.repeat(40),
      SAML_ENABLED: 'true',
      SAML_FEDERATION_METADATA_FILE: join(tmp, 'feed.xml'),
      SAML_FEDERATION_METADATA_CERT_FILE: join(tmp, 'fed.crt'),
      SAML_SP_KEY_FILE: join(tmp, 'sp.key'),
      SAML_SP_CERT_FILE: join(tmp, 'sp.crt'),
    };
    const sp = await keyPair('ra.test');
    writeFileSync(env.SAML_SP_KEY_FILE, sp.key);
    writeFileSync(env.SAML_SP_CERT_FILE, sp.cert);
    a = await createTestApp({ env });
    b = await createTestApp({ db: a.db, clock: a.clock, env });
    await a.get(SamlIdpsService).refreshFeed(true);
    const dir = await new Directory(a).init();
    const { id } = await dir.person('alice@uni-a.example', 'requester', 0);
    await a.get(Transactions).manager.insert(FederatedIdentity, {
      userId: id,
      protocol: 'saml',
      subject: 'eppn:alice@uni-a.example',
      provider: idp.entityId,
      lastLoginAt: null,
      entitledGrants: null,
    });
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('takes the IdP list from the database: the other instance sees it and does not fetch again', async () => {
    const page = await request(b.server).get('/login/institution').expect(200);
    expect(page.text).toContain('University of A');
    expect(await b.get(SamlIdpsService).refreshFeed()).toEqual({
      kind: 'skipped',
      reason: 'fresh',
    });
  });

  it('accepts on one instance a response to a request made on the other, and only once', async () => {
    const agent = request.agent(a.server);
    const page = await agent.get('/login/institution').expect(200);
    const started = await agent
      .post('/saml/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), idp: idp.entityId, next: '/account' })
      .expect(303);
    const authn = inflateRawSync(
      Buffer.from(new URL(started.headers.location).searchParams.get('SAMLRequest')!, 'base64'),
    ).toString('utf8');
    const id = /\sID="([^"]+)"/.exec(authn)![1];
    const response = idp.response({
      inResponseTo: id,
      acsUrl: SP.acsUrl,
      audience: SP.entityId,
      now: a.clock.now(),
      attributes: { [ATTR.eppn]: ['alice@uni-a.example'] },
    });
    // The same response reaches both instances at once: exactly one takes it.
    const answers = await Promise.all([
      request(b.server).post('/saml/acs').type('form').send({ SAMLResponse: response }),
      request(a.server).post('/saml/acs').type('form').send({ SAMLResponse: response }),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([303, 403]);
    const accepted = answers.find((r) => r.status === 303)!;
    await agent.get(accepted.headers.location).expect(303);
    await agent.get('/account').expect(200);
  });
});
