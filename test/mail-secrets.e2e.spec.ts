import { SchedulerRegistry } from '@nestjs/schedule';
import { Transactions } from '../src/database/transactions.js';
import { MailDispatcher } from '../src/mail/mail.dispatcher.js';
import { MailMessage } from '../src/mail/mail-message.entity.js';
import { MailService } from '../src/mail/mail.service.js';
import { Directory } from './support/directory.js';
import { DAY } from './support/fake-clock.js';
import { agentFor, csrfFrom } from './support/http.js';
import { TestSmtpServer } from './support/smtp-server.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// Whoever can read the mail queue must not find working links there for longer than needed.
async function lastMessageTo(t: TestApp, to: string): Promise<MailMessage> {
  return t
    .get(Transactions)
    .manager.findOneOrFail(MailMessage, { where: { toAddress: to }, order: { id: 'DESC' } });
}

function tokenIn(text: string, path: string): string {
  const match = new RegExp(`${path}([\\w-]{20,})`).exec(text);
  if (!match) {
    throw new Error(`no ${path} link in: ${text}`);
  }
  return match[1];
}

async function invite(dir: Directory, email: string, nrenId: number): Promise<void> {
  const res = await dir.api('post', '/invitations', {
    email,
    role: 'nren-admin',
    scopeId: nrenId,
    language: 'en',
  });
  expect(res.status).toBe(201);
}

describe('links in the outbox', () => {
  let t: TestApp;
  let dir: Directory;
  let nrenId: number;

  beforeAll(async () => {
    t = await createTestApp();
    dir = await new Directory(t).init();
    nrenId = (await dir.nren('MAILNET')).id;
  });
  afterAll(() => t.close());

  it('an invitation’s link leaves the message once it is accepted', async () => {
    await invite(dir, 'accepts@mailnet.example', nrenId);
    const queued = await lastMessageTo(t, 'accepts@mailnet.example');
    const token = tokenIn(queued.textBody, '/invitations/accept/');
    const agent = agentFor(t);
    const form = await agent.get(`/invitations/accept/${token}`).expect(200);
    await agent
      .post('/invitations/accept')
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        token,
        displayName: 'Accepting Person',
        password: 'quiet-meadow-lantern-58',
      })
      .expect(303);
    const after = await lastMessageTo(t, 'accepts@mailnet.example');
    expect(after.textBody).not.toContain(token);
    expect(after.textBody).toContain('/invitations/accept/[…]');
    expect(after.secret).toBeNull();
  });

  it('an invitation’s link leaves the message once it has expired, not before', async () => {
    await invite(dir, 'never@mailnet.example', nrenId);
    const token = tokenIn(
      (await lastMessageTo(t, 'never@mailnet.example')).textBody,
      '/invitations/accept/',
    );
    const mail = t.get(MailService);
    t.clock.advance(6 * DAY);
    await mail.forgetExpiredSecrets(t.clock.now());
    expect((await lastMessageTo(t, 'never@mailnet.example')).textBody).toContain(token);
    t.clock.advance(DAY + 1000);
    await mail.forgetExpiredSecrets(t.clock.now());
    expect((await lastMessageTo(t, 'never@mailnet.example')).textBody).not.toContain(token);
    t.clock.advance(-7 * DAY - 1000);
  });

  it('a domain validation link leaves the message once it is used', async () => {
    const org = await dir.organisation(nrenId, 'Mail University');
    const domain = await dir.domain(org.id, 'mail-uni.example.org');
    await dir.api('post', `/domains/${domain.id}/validation-email`, { localPart: 'webmaster' });
    const queued = await lastMessageTo(t, 'webmaster@mail-uni.example.org');
    const token = tokenIn(queued.textBody, '/domain-validation/');
    const agent = agentFor(t);
    const page = await agent.get(`/domain-validation/${token}`).expect(200);
    await agent
      .post('/domain-validation')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), token })
      .expect(200);
    const after = await lastMessageTo(t, 'webmaster@mail-uni.example.org');
    expect(after.textBody).not.toContain(token);
    expect(after.secret).toBeNull();
  });
});

describe('links in mail delivered by SMTP', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let dir: Directory;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    t = await createTestApp({ env: { SMTP_URL: smtp.url, MAIL_TRANSPORT: 'smtp' } });
    await t.get(SchedulerRegistry).getCronJob('mail-dispatch').stop();
    dir = await new Directory(t).init();
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  it('leave the queue once the SMTP server has the message', async () => {
    const nren = await dir.nren('SMTPNET');
    await invite(dir, 'smtp-invitee@smtpnet.example', nren.id);
    const token = tokenIn(
      (await lastMessageTo(t, 'smtp-invitee@smtpnet.example')).textBody,
      '/invitations/accept/',
    );
    expect(await t.get(MailDispatcher).run(t.clock.now())).toMatchObject({ sent: 1 });
    const [delivered] = smtp.to('smtp-invitee@smtpnet.example');
    expect(delivered.text).toContain(`/invitations/accept/${token}`);
    const stored = await lastMessageTo(t, 'smtp-invitee@smtpnet.example');
    expect(stored.status).toBe('sent');
    expect(stored.textBody).not.toContain(token);
    expect(stored.secret).toBeNull();
    // The link itself still works for the person who received it.
    await agentFor(t).get(`/invitations/accept/${token}`).expect(200);
  });
});
