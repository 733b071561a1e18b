import request from 'supertest';
import { API_ROUTES } from '../src/openapi/api-routes.js';
import { Directory } from './support/directory.js';
import { ApiContract, mappedRoutes } from './support/openapi.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('the OpenAPI description', () => {
  let t: TestApp;
  let dir: Directory;
  let api: ApiContract;

  beforeAll(async () => {
    t = await createTestApp();
    dir = await new Directory(t).init();
    const res = await request(t.server).get('/api/v1/openapi.json').expect(200);
    api = new ApiContract(res.body as Record<string, unknown>);
  });
  afterAll(() => t.close());

  it('is OpenAPI 3.1 and describes every JSON API route Nest has mapped', async () => {
    const res = await request(t.server).get('/api/v1/openapi.json').expect(200);
    expect(res.body.openapi).toBe('3.1.0');
    const mapped = mappedRoutes(t).filter((r) => r.split(' ')[1].startsWith('/api/v1/'));
    // The enumeration itself works (else this test could not fail).
    expect(mapped).toEqual(expect.arrayContaining(['get /api/v1/me', 'patch /api/v1/nrens/:id']));
    const described = API_ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(mapped.filter((r) => !described.includes(r))).toEqual([]);
    expect(described.filter((r) => !mapped.includes(r))).toEqual([]);
  });

  it('renders the documentation page on the server, without scripts', async () => {
    const res = await request(t.server).get('/api/docs').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).not.toMatch(/<script/i);
    for (const r of API_ROUTES) {
      expect(res.text).toContain(r.path.replace(/:(\w+)/g, '{$1}'));
    }
  });

  it('matches real responses: reads, writes, and problems', async () => {
    const token = dir.admin;
    const call = async (
      method: 'get' | 'post' | 'patch' | 'delete',
      path: string,
      actual: string,
      body?: object,
      bearer: string | null = token,
    ) => {
      let req = request(t.server)[method](actual);
      if (bearer) {
        req = req.set('Authorization', `Bearer ${bearer}`);
      }
      const res = await (body ? req.send(body) : req);
      api.check(res, method, path);
      return res;
    };

    await call('get', '/api/v1/me', '/api/v1/me');
    expect((await call('get', '/api/v1/me', '/api/v1/me', undefined, null)).status).toBe(401);
    const created = await call('post', '/api/v1/tokens', '/api/v1/tokens', { name: 'contract' });
    expect(created.status).toBe(201);
    await call('get', '/api/v1/tokens', '/api/v1/tokens');
    expect(
      (await call('delete', '/api/v1/tokens/:id', `/api/v1/tokens/${created.body.id}`)).status,
    ).toBe(204);
    expect((await call('post', '/api/v1/tokens', '/api/v1/tokens', { name: '' })).status).toBe(422);

    const nren = await call('post', '/api/v1/nrens', '/api/v1/nrens', {
      name: 'Contract NREN',
      country: 'SE',
      contactEmail: 'ops@contract.example',
      defaultLanguage: 'sv',
      caProductIds: {},
    });
    expect(nren.status).toBe(201);
    await call('get', '/api/v1/nrens', '/api/v1/nrens');
    await call('get', '/api/v1/nrens/:id', `/api/v1/nrens/${nren.body.id}`);
    expect((await call('get', '/api/v1/nrens/:id', '/api/v1/nrens/99999')).status).toBe(404);
    await call('patch', '/api/v1/nrens/:id', `/api/v1/nrens/${nren.body.id}`, {
      contactEmail: 'noc@contract.example',
      version: nren.body.version,
    });

    const org = await call('post', '/api/v1/organisations', '/api/v1/organisations', {
      nrenId: nren.body.id,
      name: 'Contract University',
      streetAddress: '1 Road',
      locality: 'Lund',
      country: 'SE',
      certificateContacts: [],
      allowedProducts: ['OV_SSL'],
    });
    expect(org.status).toBe(201);
    await call('get', '/api/v1/organisations', '/api/v1/organisations');
    await call('get', '/api/v1/organisations/:id', `/api/v1/organisations/${org.body.id}`);
    await call('patch', '/api/v1/organisations/:id', `/api/v1/organisations/${org.body.id}`, {
      locality: 'Malmö',
      version: org.body.version,
    });
    const stale = await call(
      'patch',
      '/api/v1/organisations/:id',
      `/api/v1/organisations/${org.body.id}`,
      { locality: 'Lund', version: org.body.version },
    );
    expect(stale.status).toBe(409);

    const dept = await call(
      'post',
      '/api/v1/organisations/:id/departments',
      `/api/v1/organisations/${org.body.id}/departments`,
      { name: 'Physics' },
    );
    await call(
      'get',
      '/api/v1/organisations/:id/departments',
      `/api/v1/organisations/${org.body.id}/departments`,
    );
    await call('get', '/api/v1/departments/:id', `/api/v1/departments/${dept.body.id}`);
    await call('patch', '/api/v1/departments/:id', `/api/v1/departments/${dept.body.id}`, {
      name: 'Physics and Astronomy',
      version: dept.body.version,
    });

    const domain = await call(
      'post',
      '/api/v1/organisations/:id/domains',
      `/api/v1/organisations/${org.body.id}/domains`,
      { name: 'contract.example.org', wildcardsAllowed: false },
    );
    expect(domain.status).toBe(201);
    await call(
      'get',
      '/api/v1/organisations/:id/domains',
      `/api/v1/organisations/${org.body.id}/domains`,
    );
    const detail = await call('get', '/api/v1/domains/:id', `/api/v1/domains/${domain.body.id}`);
    await call('patch', '/api/v1/domains/:id', `/api/v1/domains/${domain.body.id}`, {
      departmentIds: [dept.body.id],
      version: detail.body.version,
    });
    const manual = await call(
      'post',
      '/api/v1/domains/:id/manual-validation',
      `/api/v1/domains/${domain.body.id}/manual-validation`,
      { note: '', version: 0 },
    );
    expect(manual.status).toBe(422);

    const invited = await call('post', '/api/v1/invitations', '/api/v1/invitations', {
      email: 'rao@contract.example',
      role: 'rao',
      scopeId: org.body.id,
    });
    expect(invited.status).toBe(201);
    await call('get', '/api/v1/invitations', `/api/v1/invitations?organisationId=${org.body.id}`);
    await call('get', '/api/v1/people', `/api/v1/people?organisationId=${org.body.id}`);

    const outbox = await call('get', '/api/v1/outbox', '/api/v1/outbox');
    await call('get', '/api/v1/outbox/:id', `/api/v1/outbox/${outbox.body.items[0].id}`);
    await call('get', '/api/v1/requests', '/api/v1/requests');
    await call('get', '/api/v1/certificates', '/api/v1/certificates');
    expect(
      (await call('get', '/api/v1/certificates/:id', '/api/v1/certificates/99999')).status,
    ).toBe(404);
    const badCsr = await call('post', '/api/v1/csr/check', '/api/v1/csr/check', {
      departmentId: dept.body.id,
      product: 'OV_SSL',
      csr: 'not a CSR',
    });
    expect([200, 422]).toContain(badCsr.status);
    const refused = await call('post', '/api/v1/requests', '/api/v1/requests', {
      departmentId: dept.body.id,
      product: 'OV_SSL',
      csr: 'not a CSR',
    });
    expect(refused.status).toBe(422);
    const unknown = await call(
      'post',
      '/api/v1/requests/:id/:action',
      '/api/v1/requests/99999/cancel',
      { version: 1 },
    );
    expect(unknown.status).toBe(404);
  });
});
