import * as argon2 from 'argon2';
import request from 'supertest';
import { AccountsService } from '../src/accounts/accounts.service.js';
import { User } from '../src/accounts/user.entity.js';
import { Transactions } from '../src/database/transactions.js';
import { MailDispatcher } from '../src/mail/mail.dispatcher.js';
import { MailService } from '../src/mail/mail.service.js';
import { ADMIN, agentFor, csrfFrom, login } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const CLI = { id: null, label: 'cli' };
const PLAIN = { email: 'plain@example.org', password: 'a-plain-users-passphrase' };

// Embedded defaults: no SMTP_URL, so mail ends in the outbox, readable by platform admins.
describe('the outbox on embedded defaults', () => {
  let t: TestApp;
  let adminToken: string;
  let plainToken: string;
  let messageId: number;

  beforeAll(async () => {
    t = await createTestApp();
    const accounts = t.get(AccountsService);
    await accounts.createAdmin(ADMIN.email, ADMIN.password, CLI);
    adminToken = (await accounts.createToken(ADMIN.email, 'outbox', CLI)).secret;
    // An account with no role at all, made the way an import would.
    const passwordHash = await argon2.hash(PLAIN.password, { type: argon2.argon2id });
    const plain = await t
      .get(Transactions)
      .run((em) => em.save(User, { email: PLAIN.email, displayName: 'Plain', passwordHash }));
    plainToken = (await accounts.createTokenFor(plain.id, 'mine', CLI)).secret;

    const queued = await t.get(Transactions).run((em) =>
      t.get(MailService).enqueue(em, {
        to: 'eva@example.org',
        template: 'test',
        language: 'sv',
        context: { name: 'Eva <script>' },
      }),
    );
    messageId = queued.id;
    await t.get(MailDispatcher).run(t.clock.now());
  });
  afterAll(() => t.close());

  const api = (path: string, token: string) =>
    request(t.server).get(path).set('Authorization', `Bearer ${token}`);

  it('shows a platform admin what was "sent", bodies included, through the API', async () => {
    const res = await api('/api/v1/outbox', adminToken).expect(200);
    expect(res.body).toMatchObject({ page: 1, pageSize: 50, total: 1, pages: 1 });
    expect(res.body.items).toEqual([
      expect.objectContaining({
        id: messageId,
        to: 'eva@example.org',
        subject: 'Testmeddelande från TCS-registreringsenheten',
        language: 'sv',
        status: 'sent',
        transport: 'outbox',
        attempts: 1,
        text: expect.stringContaining('Hej Eva <script>,'),
        html: expect.stringContaining('Hej Eva &lt;script&gt;,'),
      }),
    ]);
    const one = await api(`/api/v1/outbox/${messageId}`, adminToken).expect(200);
    expect(one.body.id).toBe(messageId);
  });

  it('answers anyone else exactly as it answers for a page that does not exist', async () => {
    const unknown = await api('/api/v1/no-such-thing', plainToken).expect(404);
    const outbox = await api('/api/v1/outbox', plainToken).expect(404);
    const message = await api(`/api/v1/outbox/${messageId}`, plainToken).expect(404);
    expect(outbox.body).toEqual(unknown.body);
    expect(message.body).toEqual(unknown.body);
    await request(t.server).get('/api/v1/outbox').expect(401);

    const agent = agentFor(t);
    expect((await login(agent, PLAIN.email, PLAIN.password)).status).toBe(303);
    // The same page apart from the language links, which point back at the address asked for.
    const main = (html: string) => /<main[\s\S]*<\/main>/.exec(html)?.[0];
    const page404 = await agent.get('/no-such-page').expect(404);
    const outboxPage = await agent.get('/admin/outbox').expect(404);
    expect(main(outboxPage.text)).toBe(main(page404.text));
    expect(main(outboxPage.text)).toBeDefined();
    await agent.get(`/admin/outbox/${messageId}`).expect(404);
    const home = await agent.get('/').expect(200);
    expect(home.text).not.toContain('/admin/outbox');
  });

  it('lists the mail on a page and shows a message with its HTML as escaped source', async () => {
    const agent = agentFor(t);
    expect((await login(agent, ADMIN.email, ADMIN.password)).status).toBe(303);
    const home = await agent.get('/').expect(200);
    expect(home.text).toContain('href="/admin/outbox"');

    const list = await agent.get('/admin/outbox?lang=de').expect(200);
    expect(list.text).toContain('<h1 id="outbox-title">Postausgang</h1>');
    expect(list.text).toContain('eva@example.org');
    expect(list.text).toContain(`href="/admin/outbox/${messageId}"`);
    expect(list.text).toContain('Gesendet');

    const page = await agent.get(`/admin/outbox/${messageId}`).expect(200);
    expect(page.text).toMatch(/<pre[^>]*>Hej Eva &lt;script&gt;,/);
    // The HTML part appears as text: escaped once more, never as live markup.
    expect(page.text).toContain('&lt;p&gt;Hej Eva &amp;lt;script&amp;gt;,&lt;/p&gt;');
    expect(page.text).not.toContain('<script>');
    expect(page.text).not.toContain('<p>Hej Eva');
    await agent.get('/admin/outbox/999999').expect(404);
    await agent.get('/admin/outbox/abc').expect(404);
  });

  it('pages the list 50 at a time, newest first', async () => {
    await t.get(Transactions).run(async (em) => {
      for (let i = 1; i <= 55; i++) {
        await t.get(MailService).enqueue(em, {
          to: `reader-${i}@example.org`,
          template: 'test',
          language: 'en',
          context: { name: `Reader ${i}` },
        });
      }
    });
    const first = await api('/api/v1/outbox', adminToken).expect(200);
    expect(first.body).toMatchObject({ total: 56, pages: 2 });
    expect(first.body.items).toHaveLength(50);
    expect(first.body.items[0]).toMatchObject({ to: 'reader-55@example.org', status: 'queued' });
    const second = await api('/api/v1/outbox?page=2', adminToken).expect(200);
    const secondItems = second.body.items as { to: string }[];
    expect(secondItems.map((m) => m.to)).toEqual([
      'reader-5@example.org',
      'reader-4@example.org',
      'reader-3@example.org',
      'reader-2@example.org',
      'reader-1@example.org',
      'eva@example.org',
    ]);
    const filtered = await api('/api/v1/outbox?to=reader-7@example.org', adminToken).expect(200);
    expect(filtered.body.items).toHaveLength(1);

    const agent = agentFor(t);
    expect((await login(agent, ADMIN.email, ADMIN.password)).status).toBe(303);
    const html = await agent.get('/admin/outbox?lang=en').expect(200);
    expect(html.text.match(/href="\/admin\/outbox\/\d+"/g)).toHaveLength(50);
    expect(html.text).toContain('Page 1 of 2');
    // Handlebars writes = as &#x3D; inside attributes; a browser reads it back as =.
    expect(html.text).toContain('href="/admin/outbox?page&#x3D;2" rel="next"');
    const last = await agent.get('/admin/outbox?page=2').expect(200);
    expect(last.text.match(/href="\/admin\/outbox\/\d+"/g)).toHaveLength(6);
    expect(last.text).toContain('rel="prev"');
  });

  it('lets an admin send themselves a test message from the outbox page', async () => {
    const agent = agentFor(t);
    expect((await login(agent, ADMIN.email, ADMIN.password)).status).toBe(303);
    const page = await agent.get('/admin/outbox?lang=fr').expect(200);
    await agent
      .post('/admin/outbox/test')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(303)
      .expect('Location', '/admin/outbox');
    const after = await agent.get('/admin/outbox').expect(200);
    expect(after.text).toContain('Un message de test à votre adresse a été mis en attente.');
    const mine = await api(`/api/v1/outbox?to=${ADMIN.email}`, adminToken).expect(200);
    expect(mine.body.items).toEqual([
      expect.objectContaining({ subject: "Message de test de l'autorité d'enregistrement TCS" }),
    ]);
  });
});
