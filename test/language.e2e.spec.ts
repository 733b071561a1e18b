import request from 'supertest';
import { AccountsService } from '../src/accounts/accounts.service.js';
import { ADMIN, agentFor, login } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const CLI = { id: null, label: 'cli' };
const HEADING = { en: 'Log in', fr: 'Connexion', de: 'Anmelden', nl: 'Inloggen', sv: 'Logga in' };

function headingOf(html: string): string {
  return /<h1[^>]*id="login-title"[^>]*>([^<]+)<\/h1>/.exec(html)?.[1] ?? '';
}

describe('choosing the language', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { DEFAULT_LANGUAGE: 'nl' } });
  });
  afterAll(() => t.close());

  it('falls back to DEFAULT_LANGUAGE when nothing else says', async () => {
    const res = await request(t.server).get('/login').expect(200);
    expect(headingOf(res.text)).toBe(HEADING.nl);
    expect(res.text).toContain('<html lang="nl">');
  });

  it('uses Accept-Language over the default, by quality', async () => {
    const res = await request(t.server)
      .get('/login')
      .set('Accept-Language', 'es;q=1, sv;q=0.8, de;q=0.5');
    expect(headingOf(res.text)).toBe(HEADING.sv);
  });

  it('uses ?lang= over everything, and remembers it in a cookie', async () => {
    const agent = agentFor(t);
    const res = await agent.get('/login?lang=fr').set('Accept-Language', 'de');
    expect(headingOf(res.text)).toBe(HEADING.fr);
    const next = await agent.get('/login').set('Accept-Language', 'de');
    expect(headingOf(next.text)).toBe(HEADING.fr);
  });

  it('ignores an unknown ?lang= value', async () => {
    const res = await request(t.server).get('/login?lang=xx').set('Accept-Language', 'de');
    expect(headingOf(res.text)).toBe(HEADING.de);
  });

  it("uses the user's saved preference over Accept-Language, and the cookie over the preference", async () => {
    const accounts = t.get(AccountsService);
    const user = await accounts.createAdmin(ADMIN.email, ADMIN.password, CLI);
    await accounts.setLanguage(user.id, 'de', CLI);
    const agent = agentFor(t);
    await login(agent, ADMIN.email, ADMIN.password);
    const home = await agent.get('/').set('Accept-Language', 'sv').expect(200);
    expect(home.text).toContain('<html lang="de">');
    await agent.get('/?lang=fr').expect(200);
    const after = await agent.get('/').set('Accept-Language', 'sv').expect(200);
    expect(after.text).toContain('<html lang="fr">');
  });

  it('answers API problems in the language the client asks for', async () => {
    const res = await request(t.server).get('/api/v1/me').set('Accept-Language', 'de').expect(401);
    expect(res.body.title).toBe('Bitte melden Sie sich zuerst an.');
  });
});
