import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { Transactions } from '../src/database/transactions.js';
import { FederatedIdentity } from '../src/federation/federated-identity.entity.js';
import { Directory } from './support/directory.js';
import { agentFor, csrfFrom } from './support/http.js';
import { ATTR, TestIdp } from './support/saml-idp.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const BASE = 'http://ra.test';
const SP = { acsUrl: `${BASE}/saml/acs`, entityId: `${BASE}/saml/metadata` };

// One institution's IdP configured directly, without a federation feed.
describe('SAML with one IdP configured directly', () => {
  let t: TestApp;
  let idp: TestIdp;
  let tmp: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'ra-saml-one-'));
    idp = await TestIdp.create('https://idp.uni-c.example/idp', ['uni-c.example'], 'C College', {
      ...SP,
      now: () => t.clock.now(),
    });
    writeFileSync(join(tmp, 'idp.xml'), idp.entityDescriptor());
    t = await createTestApp({
      env: { BASE_URL: BASE, SAML_ENABLED: 'true', SAML_IDP_METADATA_FILE: join(tmp, 'idp.xml') },
    });
    const dir = await new Directory(t).init();
    const { id } = await dir.person('dan@uni-c.example', 'platform-admin', 0);
    await t.get(Transactions).manager.insert(FederatedIdentity, {
      userId: id,
      protocol: 'saml',
      subject: 'eppn:dan@uni-c.example',
      provider: idp.entityId,
      lastLoginAt: null,
      entitledGrants: null,
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('offers the IdP and logs its people in', async () => {
    const agent = agentFor(t);
    const page = await agent.get('/login/institution').expect(200);
    expect(page.text).toContain('C College');
    const started = await agent
      .post('/saml/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), idp: idp.entityId, next: '/account' })
      .expect(303);
    const authn = inflateRawSync(
      Buffer.from(new URL(started.headers.location).searchParams.get('SAMLRequest')!, 'base64'),
    ).toString('utf8');
    const id = /\sID="([^"]+)"/.exec(authn)![1];
    const answered = await agent
      .post('/saml/acs')
      .type('form')
      .send({
        SAMLResponse: idp.response({
          inResponseTo: id,
          acsUrl: SP.acsUrl,
          audience: SP.entityId,
          now: t.clock.now(),
          attributes: { [ATTR.eppn]: ['dan@uni-c.example'] },
        }),
      })
      .expect(303);
    await agent.get(answered.headers.location).expect(303);
    await agent.get('/account').expect(200);
  });
});
