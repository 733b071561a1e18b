import { Directory } from './support/directory.js';
import { agentFor, csrfFrom, login } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// A name with a line break would add lines of its author's choosing to e-mails (and to
// certificate subjects later): refused at input, with the field named and the input kept.
describe('single-line fields', () => {
  let t: TestApp;
  let dir: Directory;

  beforeAll(async () => {
    t = await createTestApp();
    dir = await new Directory(t).init();
  });
  afterAll(() => t.close());

  it.each([
    'Physics\nVisit http://evil.example to confirm',
    'Physics\r\nX',
    'Physics\u0000',
    'Physics\u2028Next line',
    'Tab\there',
  ])('refuses a department name with control characters: %j', async (name) => {
    const nren = await dir.nren(`LINES-${Math.random().toString(36).slice(2, 8)}`);
    const org = await dir.organisation(nren.id, 'Lines University');
    const res = await dir.api('post', `/organisations/${org.id}/departments`, { name });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ field: 'name', code: 'control_characters' }),
    ]);
  });

  it('refuses an organisation name with a line break on the form, keeping what was typed', async () => {
    const nren = await dir.nren('LINES-FORM');
    const agent = agentFor(t);
    await login(agent, 'root@example.org', 'platform-admin-secret');
    const page = await agent.get('/organisations/new').expect(200);
    const res = await agent
      .post('/organisations')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        nrenId: nren.id,
        name: 'Evil\nUniversity',
        streetAddress: '1 Campus Road',
        locality: 'Utrecht',
        country: 'NL',
      })
      .expect(422);
    expect(res.text).toContain('This field must be one line');
    expect(res.text).toContain('1 Campus Road');
  });

  it('still lets notes and comments have lines', async () => {
    const nren = await dir.nren('LINES-NOTE');
    const org = await dir.organisation(nren.id, 'Notes University');
    const domain = await dir.domain(org.id, 'notes-uni.example.org');
    const res = await dir.api('post', `/domains/${domain.id}/manual-validation`, {
      note: 'Checked by phone.\nTicket 1234.',
      version: domain.version,
    });
    expect(res.status).toBe(201);
  });
});
