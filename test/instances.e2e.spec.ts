import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { AccountsService } from '../src/accounts/accounts.service.js';
import { Transactions } from '../src/database/transactions.js';
import { DISPATCH_BATCH, MailDispatcher } from '../src/mail/mail.dispatcher.js';
import { MailMessage } from '../src/mail/mail-message.entity.js';
import { MailService } from '../src/mail/mail.service.js';
import { buildCsr, toPem } from './fixtures/csr/csr-builder.js';
import { Directory } from './support/directory.js';
import { ADMIN, csrfFrom } from './support/http.js';
import { TestSmtpServer } from './support/smtp-server.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// Two application instances on one database: whatever one knows, the other knows.
describe('several instances on one database', () => {
  let a: TestApp;
  let b: TestApp;
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    const env = {
      SESSION_SECRET: 'x'.repeat(40),
      LOGIN_MAX_FAILURES: '2',
      SMTP_URL: smtp.url,
      MAIL_TRANSPORT: 'smtp',
    };
    a = await createTestApp({ env });
    b = await createTestApp({ db: a.db, clock: a.clock, env });
    await a
      .get(AccountsService)
      .createAdmin(ADMIN.email, ADMIN.password, { id: null, label: 'cli' });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await smtp?.stop();
  });

  it('shares sessions and CSRF tokens: log in on one, carry on on the other', async () => {
    const page = await request(a.server).get('/login');
    const cookie = page.headers['set-cookie'][0].split(';')[0];
    const res = await request(b.server)
      .post('/login')
      .set('Cookie', cookie)
      .type('form')
      .send({ email: ADMIN.email, password: ADMIN.password, _csrf: csrfFrom(page.text) })
      .expect(303);
    const session = res.headers['set-cookie'][0].split(';')[0];
    await request(a.server).get('/account').set('Cookie', session).expect(200);
  });

  it('counts failed logins across instances', async () => {
    const attempt = async (server: TestApp['server']) => {
      const page = await request(server).get('/login');
      const cookie = page.headers['set-cookie'][0].split(';')[0];
      return request(server)
        .post('/login')
        .set('Cookie', cookie)
        .type('form')
        .send({
          email: 'guess@example.org',
          password: 'wrong-guess-here',
          _csrf: csrfFrom(page.text),
        });
    };
    expect((await attempt(a.server)).status).toBe(401);
    expect((await attempt(b.server)).status).toBe(401);
    expect((await attempt(a.server)).status).toBe(429);
  });

  it('delivers every queued mail exactly once when both instances dispatch at the same moment', async () => {
    const queued = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const t = i % 2 ? b : a;
      const message = await t.get(Transactions).run((em) =>
        t.get(MailService).enqueue(em, {
          to: `bulk-${i}@example.org`,
          template: 'test',
          language: 'fr',
          context: { name: `n${i}` },
        }),
      );
      queued.add(message.id);
    }
    const before = smtp.received.length;
    const sentBy = [0, 0];
    for (let round = 0; round < 10; round++) {
      const now = a.clock.now();
      const results = await Promise.all([
        a.get(MailDispatcher).run(now),
        b.get(MailDispatcher).run(now),
        a.get(MailDispatcher).run(now),
        b.get(MailDispatcher).run(now),
      ]);
      for (const [n, r] of results.entries()) {
        expect(r.failed).toBe(0);
        expect(r.sent).toBeLessThanOrEqual(DISPATCH_BATCH);
        sentBy[n % 2] += r.sent;
      }
      if (results.every((r) => r.sent === 0)) {
        break;
      }
    }

    const delivered = smtp.received.slice(before);
    expect(delivered).toHaveLength(50);
    for (let i = 0; i < 50; i++) {
      expect(smtp.to(`bulk-${i}@example.org`)).toHaveLength(1);
    }
    expect(new Set(delivered.map((m) => m.parsed.messageId)).size).toBe(50);
    // Both took part: the claims split the work rather than one instance doing it all.
    expect(sentBy[0]).toBeGreaterThan(0);
    expect(sentBy[1]).toBeGreaterThan(0);
    const rows = await b.get(Transactions).manager.findBy(MailMessage, { status: 'sent' });
    expect(rows.filter((r) => queued.has(r.id))).toHaveLength(50);
  });

  it('accepts a key for one organisation only, when two submit it at the same moment on different instances', async () => {
    const dir = await new Directory(a).init();
    const nren = await dir.nren('Instances');
    const requesters: string[] = [];
    const departments: number[] = [];
    for (const name of ['north', 'south']) {
      const org = await dir.organisation(nren.id, `University ${name}`);
      const dept = await dir.department(org.id, 'IT');
      const domain = await dir.domain(org.id, `${name}.example.org`);
      await dir.api('post', `/domains/${domain.id}/manual-validation`, {
        version: domain.version,
        note: 'test fixture',
      });
      const version = (await dir.api('get', `/domains/${domain.id}`)).body.version;
      await dir.api('patch', `/domains/${domain.id}`, { version, departmentIds: [dept.id] });
      departments.push(dept.id);
      requesters.push((await dir.person(`it@${name}.example.org`, 'requester', dept.id)).token);
    }
    for (let round = 0; round < 3; round++) {
      // A key nobody has used (keyFor would hand out the same one each round).
      const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      const submit = (server: TestApp['server'], i: number) => {
        const host = `www${round}.${['north', 'south'][i]}.example.org`;
        const pem = toPem(
          buildCsr({ key, subject: [['CN', host]], san: [{ type: 'dns', value: host }] }),
        );
        return request(server)
          .post('/api/v1/requests')
          .set('Authorization', `Bearer ${requesters[i]}`)
          .send({ departmentId: departments[i], product: 'OV_SSL', csr: pem });
      };
      const answers = await Promise.all([submit(a.server, 0), submit(b.server, 1)]);
      expect(answers.map((r) => r.status).sort()).toEqual([201, 422]);
      const refused = answers.find((r) => r.status === 422)!;
      expect(refused.body.errors.map((e: { code: string }) => e.code)).toEqual([
        'KEY_USED_BY_OTHER_ORGANISATION',
      ]);
    }
  });
});
