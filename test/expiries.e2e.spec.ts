import 'reflect-metadata';
import { seedCertificate } from './support/certificate-seed.js';
import { Directory } from './support/directory.js';
import { DAY } from './support/fake-clock.js';
import { agentFor, login, type Agent } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestPki } from './support/test-pki.js';

describe('upcoming expiries page', () => {
  let t: TestApp;
  let agent: Agent;

  beforeAll(async () => {
    t = await createTestApp();
    const dir = await new Directory(t).init();
    const nren = (await dir.nren('Surf')).id;
    const org = (await dir.organisation(nren, 'Uni')).id;
    const dept = (await dir.department(org, 'IT')).id;
    const pki = await createTestPki();
    const now = t.clock.now().getTime();
    // Ends in 5, 20 and 120 days (90-day certificates).
    await seedCertificate(t, pki, dept, ['soon.uni.example'], new Date(now - 85 * DAY), 90);
    await seedCertificate(t, pki, dept, ['later.uni.example'], new Date(now - 70 * DAY), 90);
    await seedCertificate(t, pki, dept, ['far.uni.example'], new Date(now + 30 * DAY), 90);
    agent = agentFor(t);
    await login(agent, 'root@example.org', 'platform-admin-secret');
  }, 60_000);
  afterAll(() => t?.close());

  it('shows the next 90 days as an accessible chart and as tables, in the reader’s language', async () => {
    const res = await agent.get('/expiries?lang=fr');
    expect(res.status).toBe(200);
    expect(res.text).toContain(
      '<h1 class="govuk-heading-l" id="page-title">Expirations à venir</h1>',
    );
    expect(res.text).toMatch(/<svg [^>]*role="img" aria-labelledby="timeline-title">/);
    expect(res.text).toContain('Certificats expirant par semaine, 90 prochains jours');
    // Week 1 holds the 5-day certificate, week 3 the 20-day one.
    expect(res.text).toContain('Semaine du 1 juin 2026\u202f: 1');
    expect(res.text).toContain('Semaine du 15 juin 2026\u202f: 1');
    // The same figures as a table, each week by its date.
    expect(res.text).toContain('<td class="govuk-table__cell">15 juin 2026</td>');
    const soon = res.text.indexOf('soon.uni.example');
    expect(soon).toBeGreaterThan(0);
    expect(res.text.indexOf('later.uni.example')).toBeGreaterThan(soon);
    expect(res.text).not.toContain('far.uni.example');
  });

  it('exports the same rows as CSV with UTC dates', async () => {
    const res = await agent.get('/expiries/csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.text.trim().split('\r\n');
    expect(lines[0]).toBe('id,name,not_after_utc,days_left,department_id');
    expect(lines.slice(1).map((l) => l.split(',').slice(1, 4).join(','))).toEqual([
      `soon.uni.example,${new Date(t.clock.now().getTime() + 5 * DAY - 1000).toISOString()},5`,
      `later.uni.example,${new Date(t.clock.now().getTime() + 20 * DAY - 1000).toISOString()},20`,
    ]);
  });
});
