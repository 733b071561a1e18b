import { SchedulerRegistry } from '@nestjs/schedule';
import { Transactions } from '../src/database/transactions.js';
import type { Language } from '../src/i18n/languages.js';
import { MAIL_DISPATCH_JOB, MailDispatcher } from '../src/mail/mail.dispatcher.js';
import { MailMessage } from '../src/mail/mail-message.entity.js';
import { MailService } from '../src/mail/mail.service.js';
import { Directory } from './support/directory.js';
import { MINUTE } from './support/fake-clock.js';
import { TestSmtpServer } from './support/smtp-server.js';
import { createTestApp, type TestApp } from './support/test-app.js';

async function queue(t: TestApp, to: string, language: Language, name = 'Anna') {
  return t
    .get(Transactions)
    .run((em) =>
      t.get(MailService).enqueue(em, { to, template: 'test', language, context: { name } }),
    );
}

function reload(t: TestApp, id: number): Promise<MailMessage> {
  return t.get(Transactions).manager.findOneByOrFail(MailMessage, { id });
}

describe('mail over SMTP', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    env = { SMTP_URL: smtp.url, MAIL_TRANSPORT: 'smtp', MAIL_FROM: 'TCS RA <ra@example.org>' };
    t = await createTestApp({ env });
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  it('delivers a queued message in the recipient’s language', async () => {
    const queued = await queue(t, 'anna@example.org', 'de');
    expect(queued.status).toBe('queued');

    expect(await t.get(MailDispatcher).run(t.clock.now())).toEqual({ sent: 1, failed: 0 });

    const [mail, ...more] = smtp.to('anna@example.org');
    expect(more).toEqual([]);
    expect(mail.subject).toBe('Testnachricht der TCS-Registrierungsstelle');
    expect(mail.text).toContain('Hallo Anna,');
    expect(mail.text).toContain('Dies ist eine Testnachricht.');
    expect(mail.html).toContain('<p>Hallo Anna,</p>');
    expect(mail.from?.value).toEqual([{ name: 'TCS RA', address: 'ra@example.org' }]);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.messageId).toMatch(new RegExp(`^<mail-${queued.id}\\.\\d+@example\\.org>$`));

    const row = await reload(t, queued.id);
    expect(row).toMatchObject({ status: 'sent', transport: 'smtp', attempts: 1, claimedBy: null });
    expect(row.sentAt).toEqual(t.clock.now());
  });

  it('keeps delivering after the server cuts the connections it kept open', async () => {
    const dispatcher = t.get(MailDispatcher);
    await queue(t, 'fred@example.org', 'en', 'Fred');
    expect(await dispatcher.run(t.clock.now())).toEqual({ sent: 1, failed: 0 });
    // The connection stays open for the next messages, until the server cuts it.
    expect(smtp.drop()).toBeGreaterThan(0);

    const names = ['Greta', 'Hans', 'Ida', 'Jan', 'Kim'];
    for (const name of names) {
      await queue(t, `${name.toLowerCase()}@example.org`, 'en', name);
    }
    expect(await dispatcher.run(t.clock.now())).toEqual({ sent: 5, failed: 0 });
    for (const name of names) {
      expect(smtp.to(`${name.toLowerCase()}@example.org`)).toHaveLength(1);
    }
  });

  it('sends a message on a fresh connection when the server cuts the one it was going over', async () => {
    const dispatcher = t.get(MailDispatcher);
    const queued = await queue(t, 'lena@example.org', 'fr', 'Lena');
    smtp.dropAtNextMail();
    expect(await dispatcher.run(t.clock.now())).toEqual({ sent: 1, failed: 0 });
    expect(smtp.to('lena@example.org')).toHaveLength(1);
    expect(await reload(t, queued.id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('leaves a message to the queue’s retry when its connection is cut again and again', async () => {
    const dispatcher = t.get(MailDispatcher);
    const queued = await queue(t, 'mats@example.org', 'sv', 'Mats');
    smtp.dropAtNextMail(2);
    expect(await dispatcher.run(t.clock.now())).toEqual({ sent: 0, failed: 1 });
    expect(await reload(t, queued.id)).toMatchObject({ status: 'queued', attempts: 1 });
    expect(smtp.to('mats@example.org')).toEqual([]);

    t.clock.advance(61_000);
    expect(await dispatcher.run(t.clock.now())).toEqual({ sent: 1, failed: 0 });
    expect(smtp.to('mats@example.org')).toHaveLength(1);
    expect(await reload(t, queued.id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('sends nothing for a change that was rolled back', async () => {
    const before = smtp.received.length;
    await expect(
      t.get(Transactions).run(async (em) => {
        await t.get(MailService).enqueue(em, {
          to: 'rolled-back@example.org',
          template: 'test',
          language: 'en',
          context: { name: 'Nobody' },
        });
        throw new Error('the business change failed');
      }),
    ).rejects.toThrow('the business change failed');
    expect(await t.get(MailDispatcher).run(t.clock.now())).toEqual({ sent: 0, failed: 0 });
    expect(smtp.received.length).toBe(before);
  });

  it('keeps a message queued while the server is down and sends it after the back-off', async () => {
    await smtp.stop();
    const queued = await queue(t, 'bert@example.org', 'nl', 'Bert');
    const dispatcher = t.get(MailDispatcher);

    expect(await dispatcher.run(t.clock.now())).toEqual({ sent: 0, failed: 1 });
    const failed = await reload(t, queued.id);
    expect(failed).toMatchObject({ status: 'queued', attempts: 1, claimedBy: null });
    expect(failed.lastError).toMatch(/ECONNREFUSED|connect/i);
    expect(failed.nextAttemptAt).toEqual(new Date(t.clock.now().getTime() + MINUTE));

    // Back up, but the retry is not due yet.
    await smtp.start();
    t.clock.advance(30_000);
    expect(await dispatcher.run(t.clock.now())).toEqual({ sent: 0, failed: 0 });
    expect(smtp.to('bert@example.org')).toEqual([]);

    t.clock.advance(31_000);
    expect(await dispatcher.run(t.clock.now())).toEqual({ sent: 1, failed: 0 });
    const [mail, ...more] = smtp.to('bert@example.org');
    expect(more).toEqual([]);
    expect(mail.subject).toBe('Testbericht van de TCS-registratieautoriteit');
    expect(await reload(t, queued.id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('gives up after 8 failed attempts and marks the message failed', async () => {
    await smtp.stop();
    try {
      const queued = await queue(t, 'carl@example.org', 'sv', 'Carl');
      const dispatcher = t.get(MailDispatcher);
      for (let attempt = 1; attempt <= 8; attempt++) {
        expect(await dispatcher.run(t.clock.now())).toEqual({ sent: 0, failed: 1 });
        const row = await reload(t, queued.id);
        expect(row.attempts).toBe(attempt);
        expect(row.status).toBe(attempt < 8 ? 'queued' : 'failed');
        t.clock.set(row.nextAttemptAt);
      }
      t.clock.advance(24 * 60 * MINUTE);
      expect(await dispatcher.run(t.clock.now())).toEqual({ sent: 0, failed: 0 });
    } finally {
      await smtp.start();
    }
  });

  it('starts with every scheduled job stopped, so nothing is delivered behind the test’s back', async () => {
    const jobs = t.get(SchedulerRegistry).getCronJobs();
    expect([...jobs.keys()].sort()).toEqual(expect.arrayContaining([MAIL_DISPATCH_JOB]));
    expect([...jobs.values()].filter((job) => job.isActive)).toEqual([]);

    await queue(t, 'dora@example.org', 'en', 'Dora');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp.to('dora@example.org')).toEqual([]);
    expect(await t.get(MailDispatcher).run(t.clock.now())).toEqual({ sent: 1, failed: 0 });
    expect(smtp.to('dora@example.org')).toHaveLength(1);
  });

  it('hands an invitation to the SMTP server as soon as its transaction commits, not at the next tick', async () => {
    const dir = await new Directory(t).init();
    const { id: nrenId } = await dir.nren('Wake');
    const job = t.get(SchedulerRegistry).getCronJob(MAIL_DISPATCH_JOB);
    job.start();
    try {
      // Stand well clear of a tick (every 15 s), so only the wake can deliver in time.
      const untilTick = () => job.nextDate().toMillis() - Date.now();
      if (untilTick() < 9000) {
        await new Promise((resolve) => setTimeout(resolve, untilTick() + 250));
      }
      const tick = job.nextDate().toMillis();
      const committed = Date.now();
      await dir.create('/invitations', {
        email: 'erik@example.org',
        role: 'nren-admin',
        scopeId: nrenId,
        language: 'sv',
      });
      while (smtp.to('erik@example.org').length === 0 && Date.now() < tick - 500) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const arrived = Date.now();
      const [mail, ...more] = smtp.to('erik@example.org');
      expect(more).toEqual([]);
      expect(mail?.text).toContain('/invitations/accept/');
      // Within a few seconds on a busy machine, and before the tick: the poll did not send it.
      expect(arrived - committed).toBeLessThan(5000);
      expect(arrived).toBeLessThan(tick);
    } finally {
      await job.stop();
    }
  });
});
