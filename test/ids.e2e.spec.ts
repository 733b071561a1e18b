import request from 'supertest';
import { AccountsService } from '../src/accounts/accounts.service.js';
import { ADMIN, agentFor, csrfFrom, login, type Agent } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// Ids that are not the canonical form of a positive INT. Some of them (1.0, 01, 1e0, +1)
// read as 1 to Number(), and object 1 exists: they must still name nothing.
const BAD_IDS = ['abc', '-1', '0', '1.0', '01', '1e0', '+1', '0x1', '2147483648', '99999999999'];

describe('ids in paths', () => {
  let t: TestApp;
  let agent: Agent;
  let bearer: string;
  beforeAll(async () => {
    t = await createTestApp();
    const accounts = t.get(AccountsService);
    await accounts.createAdmin(ADMIN.email, ADMIN.password, { id: null, label: 'cli' });
    bearer = `Bearer ${(await accounts.createToken(ADMIN.email, 'ids', { id: null, label: 'cli' })).secret}`;
    agent = agentFor(t);
    await login(agent, ADMIN.email, ADMIN.password);
    // Object 1 of each kind exists, so a lenient parser would find it.
    const api = (path: string, body: object) =>
      request(t.server).post(path).set('Authorization', bearer).send(body).expect(201);
    await api('/api/v1/nrens', {
      name: 'SURF',
      country: 'NL',
      contactEmail: 'ops@surf.example',
      defaultLanguage: 'nl',
    });
    await api('/api/v1/organisations', {
      nrenId: 1,
      name: 'Universiteit',
      streetAddress: 'Plein 1',
      locality: 'Utrecht',
      country: 'NL',
    });
    await api('/api/v1/organisations/1/departments', { name: 'Physics' });
    await api('/api/v1/organisations/1/domains', { name: 'uni.example.nl' });
    await agent.get('/nrens/1').expect(200);
    await agent.get('/organisations/1').expect(200);
    await agent.get('/departments/1').expect(200);
    await agent.get('/domains/1').expect(200);
  });
  afterAll(() => t.close());

  const pages = [
    '/nrens/:id',
    '/nrens/:id/edit',
    '/organisations/:id',
    '/organisations/:id/edit',
    '/organisations/:id/domains/new',
    '/departments/:id',
    '/departments/:id/edit',
    '/domains/:id',
    '/products/:id/edit',
    '/admin/outbox/:id',
    '/requests/:id',
  ];

  it.each(pages)('GET %s with a bad id is the not-found page', async (path) => {
    for (const id of BAD_IDS) {
      const res = await agent.get(path.replace(':id', id));
      expect([path, id, res.status]).toEqual([path, id, 404]);
      expect(res.text).toContain('does not exist');
    }
  });

  it('a form posted to a bad id is the not-found page, and nothing changes', async () => {
    const page = await agent.get('/organisations/1').expect(200);
    const _csrf = csrfFrom(page.text);
    for (const id of BAD_IDS) {
      const res = await agent
        .post(`/organisations/${id}/departments`)
        .type('form')
        .send({ _csrf, name: `Dept ${id}` });
      expect([id, res.status]).toEqual([id, 404]);
    }
    const departments = await request(t.server)
      .get('/api/v1/organisations/1/departments')
      .set('Authorization', bearer)
      .expect(200);
    expect(departments.body.map((d: { name: string }) => d.name)).toEqual(['Physics']);
  });

  const api: [string, string][] = [
    ['GET', '/api/v1/nrens/:id'],
    ['PATCH', '/api/v1/nrens/:id'],
    ['GET', '/api/v1/organisations/:id'],
    ['PATCH', '/api/v1/organisations/:id'],
    ['GET', '/api/v1/organisations/:id/departments'],
    ['GET', '/api/v1/organisations/:id/domains'],
    ['GET', '/api/v1/departments/:id'],
    ['PATCH', '/api/v1/departments/:id'],
    ['GET', '/api/v1/domains/:id'],
    ['POST', '/api/v1/domains/:id/check'],
    ['PATCH', '/api/v1/products/:id'],
    ['GET', '/api/v1/outbox/:id'],
    ['DELETE', '/api/v1/tokens/:id'],
    ['GET', '/api/v1/requests/:id'],
  ];

  it.each(api)('%s %s with a bad id is a 404 problem', async (method, path) => {
    for (const id of BAD_IDS) {
      const url = path.replace(':id', id);
      const req = request(t.server);
      const res = await (
        method === 'GET'
          ? req.get(url)
          : method === 'PATCH'
            ? req.patch(url).send({ version: 1, name: 'Changed' })
            : method === 'POST'
              ? req.post(url).send({ method: 'dns-txt' })
              : req.delete(url)
      ).set('Authorization', bearer);
      expect([method, url, res.status]).toEqual([method, url, 404]);
      expect(res.type).toBe('application/problem+json');
      expect(res.body.code).toBe('not_found');
    }
  });
});
