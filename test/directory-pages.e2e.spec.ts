import { ADMIN, agentFor, csrfFrom, login } from './support/http.js';
import { AccountsService } from '../src/accounts/accounts.service.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('directory pages (smoke)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t
      .get(AccountsService)
      .createAdmin(ADMIN.email, ADMIN.password, { id: null, label: 'cli' });
  });
  afterAll(() => t.close());

  it('walks through creating an NREN, organisation, department and domain in the browser forms', async () => {
    const agent = agentFor(t);
    await login(agent, ADMIN.email, ADMIN.password);
    let page = await agent.get('/nrens/new').expect(200);
    let res = await agent
      .post('/nrens')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        name: 'SURF',
        country: 'nl',
        contactEmail: 'ops@surf.example',
        defaultLanguage: 'nl',
        caProductIds: 'OV_SSL=1234',
      });
    expect(res.status).toBe(303);
    const nrenPath = res.headers.location;
    page = await agent.get(nrenPath).expect(200);
    expect(page.text).toContain('SURF');
    page = await agent.get('/organisations/new').expect(200);
    res = await agent
      .post('/organisations')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        nrenId: nrenPath.split('/')[2],
        name: 'Universiteit Utrecht',
        streetAddress: 'Heidelberglaan 8',
        locality: 'Utrecht',
        country: 'NL',
        allowedProducts: 'OV_SSL',
      });
    expect(res.status).toBe(303);
    const orgPath = res.headers.location;
    page = await agent.get(orgPath).expect(200);
    res = await agent
      .post(`${orgPath}/departments`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'Informatica' });
    expect(res.status).toBe(303);
    page = await agent.get(`${orgPath}/domains/new`).expect(200);
    res = await agent
      .post(`${orgPath}/domains`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'UU.nl' });
    expect(res.status).toBe(303);
    page = await agent.get(res.headers.location).expect(200);
    expect(page.text).toContain('uu.nl');
    expect(page.text).toContain('_tcs-ra-challenge.uu.nl');
    page = await agent.get(orgPath).expect(200);
    expect(page.text).toContain('Informatica');
    page = await agent.get('/organisations?q=Utrecht').expect(200);
    expect(page.text).toContain('Universiteit Utrecht');
    page = await agent.get('/').expect(200);
  });
});
