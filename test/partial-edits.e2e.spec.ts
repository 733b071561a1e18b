import request from 'supertest';
import { AccountsService } from '../src/accounts/accounts.service.js';
import { ADMIN } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// A PATCH names only the fields it changes; every other field keeps its stored value,
// including ticked boxes (which a form would switch off by leaving them out).
describe('partial edits through the API', () => {
  let t: TestApp;
  let bearer: string;
  const api = () => ({
    get: (path: string) => request(t.server).get(path).set('Authorization', bearer),
    post: (path: string, body: object) =>
      request(t.server).post(path).set('Authorization', bearer).send(body),
    patch: (path: string, body: object) =>
      request(t.server).patch(path).set('Authorization', bearer).send(body),
  });

  beforeAll(async () => {
    t = await createTestApp();
    const accounts = t.get(AccountsService);
    const cli = { id: null, label: 'cli' };
    await accounts.createAdmin(ADMIN.email, ADMIN.password, cli);
    bearer = `Bearer ${(await accounts.createToken(ADMIN.email, 'patch', cli)).secret}`;
  });
  afterAll(() => t.close());

  it('keeps what a PATCH leaves out, for NRENs, organisations, departments, domains and products', async () => {
    const nren = await api()
      .post('/api/v1/nrens', {
        name: 'SUNET',
        country: 'SE',
        contactEmail: 'ops@sunet.example',
        defaultLanguage: 'sv',
        caLoginName: 'sunet-ra',
        caPassword: 'secret-at-the-ca',
        caProductIds: { OV_SSL: 77 },
        codeSigningEvidenceRequired: true,
      })
      .expect(201);
    const n = await api()
      .patch(`/api/v1/nrens/${nren.body.id}`, { contactEmail: 'noc@sunet.example', version: 1 })
      .expect(200);
    expect(n.body).toMatchObject({
      name: 'SUNET',
      contactEmail: 'noc@sunet.example',
      caLoginName: 'sunet-ra',
      caPasswordSet: true,
      caProductIds: { OV_SSL: 77 },
      codeSigningEvidenceRequired: true,
      version: 2,
    });

    const org = await api()
      .post('/api/v1/organisations', {
        nrenId: nren.body.id,
        name: 'Lunds universitet',
        streetAddress: 'Box 117',
        locality: 'Lund',
        country: 'SE',
        certificateContacts: ['pki@lu.example'],
        allowedProducts: ['OV_SSL'],
      })
      .expect(201);
    const o = await api()
      .patch(`/api/v1/organisations/${org.body.id}`, {
        registrationNumber: '202100-3211',
        version: 1,
      })
      .expect(200);
    expect(o.body).toMatchObject({
      name: 'Lunds universitet',
      registrationNumber: '202100-3211',
      certificateContacts: ['pki@lu.example'],
      allowedProducts: ['OV_SSL'],
    });

    const dept = await api()
      .post(`/api/v1/organisations/${org.body.id}/departments`, { name: 'Fysik' })
      .expect(201);
    // Only the version: the name stays.
    const d = await api().patch(`/api/v1/departments/${dept.body.id}`, { version: 1 }).expect(200);
    expect(d.body).toMatchObject({ name: 'Fysik' });

    const domain = await api()
      .post(`/api/v1/organisations/${org.body.id}/domains`, {
        name: 'lu.example.se',
        wildcardsAllowed: true,
      })
      .expect(201);
    let dom = await api()
      .patch(`/api/v1/domains/${domain.body.id}`, { departmentIds: [dept.body.id], version: 1 })
      .expect(200);
    expect(dom.body).toMatchObject({ wildcardsAllowed: true, departmentIds: [dept.body.id] });
    dom = await api()
      .patch(`/api/v1/domains/${domain.body.id}`, { wildcardsAllowed: false, version: 2 })
      .expect(200);
    expect(dom.body).toMatchObject({ wildcardsAllowed: false, departmentIds: [dept.body.id] });

    const product = await api().post('/api/v1/products', {
      code: 'RA_TEST_TLS',
      name: 'Test TLS',
      kind: 'tls',
      maxNames: 100,
      wildcardsAllowed: true,
      validityTerms: [199, 397],
      active: true,
    });
    expect([product.status, product.body.errors]).toEqual([201, undefined]);
    const pr = await api()
      .patch(`/api/v1/products/${product.body.id}`, { name: 'Test TLS renamed', version: 1 })
      .expect(200);
    expect(pr.body).toMatchObject({
      code: 'RA_TEST_TLS',
      name: 'Test TLS renamed',
      maxNames: 100,
      wildcardsAllowed: true,
      validityTerms: [199, 397],
      active: true,
    });
  });

  it('still needs the version the caller saw, and says which field is wrong', async () => {
    const nren = await api()
      .post('/api/v1/nrens', {
        name: 'Belnet',
        country: 'BE',
        contactEmail: 'ops@belnet.example',
        defaultLanguage: 'fr',
      })
      .expect(201);
    const path = `/api/v1/nrens/${nren.body.id}`;
    const missing = await api().patch(path, { name: 'Belnet 2' }).expect(422);
    expect(missing.body.errors).toEqual([
      expect.objectContaining({ field: 'version', code: 'stale_form' }),
    ]);
    await api().patch(path, { name: 'Belnet 2', version: 1 }).expect(200);
    const stale = await api().patch(path, { name: 'Belnet 3', version: 1 }).expect(409);
    expect(stale.body.code).toBe('stale_object');
    const bad = await api().patch(path, { country: 'XX', version: 2 }).expect(422);
    expect(bad.body.errors).toEqual([
      expect.objectContaining({ field: 'country', code: 'country_invalid' }),
    ]);
    expect((await api().get(path).expect(200)).body).toMatchObject({
      name: 'Belnet 2',
      country: 'BE',
    });
  });
});
