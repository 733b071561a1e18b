import 'reflect-metadata';
import { jest } from '@jest/globals';
import { In, MoreThan, Not } from 'typeorm';
import type { ParsedMail } from 'mailparser';
import { AuditEvent } from '../src/audit/audit-event.entity.js';
import { User } from '../src/accounts/user.entity.js';
import { Certificate } from '../src/certificates/certificate.entity.js';
import { CertificatesService } from '../src/certificates/certificates.service.js';
import { Transactions } from '../src/database/transactions.js';
import { ExpiryReminder, ExpiryReminderCursor } from '../src/expiry/expiry-reminder.entity.js';
import { ExpiryReminders } from '../src/expiry/expiry-reminders.service.js';
import { MailDispatcher } from '../src/mail/mail.dispatcher.js';
import { MailMessage } from '../src/mail/mail-message.entity.js';
import { MailService } from '../src/mail/mail.service.js';
import { Nren } from '../src/nrens/nren.entity.js';
import { Organisation } from '../src/organisations/organisation.entity.js';
import { Directory } from './support/directory.js';
import { DAY, HOUR } from './support/fake-clock.js';
import { csrFor, submitRequest, usableDomain } from './support/requests.js';
import { TestSmtpServer } from './support/smtp-server.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestPki, generateKeys, type TestPki } from './support/test-pki.js';

const SEEDER = { id: null, label: 'test-seed' };
const THRESHOLDS = [60, 30, 14, 7, 3, 1, -1];

describe('expiry reminders', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let dir: Directory;
  let pki: TestPki;
  let nrenId: number;
  let orgId: number;
  let deptId: number;
  let requester: { id: number; token: string };
  let domainReady = false;

  const tx = () => t.get(Transactions);
  const crossing = (c: Certificate, days: number) => c.notAfter.getTime() - days * DAY;

  // A certificate ending exactly at notAfter; ordered ones answer a real request.
  async function certificate(
    names: string[],
    notAfter: Date,
    ordered = false,
    organisationId = orgId,
  ): Promise<Certificate> {
    const notBefore = new Date(notAfter.getTime() - 90 * DAY);
    const leafDer = await pki.issue({
      publicKey: (await generateKeys()).publicKey,
      names,
      notBefore,
      lifetimeMs: 90 * DAY,
    });
    const chainDer = [pki.intermediate.der];
    const department =
      organisationId === orgId ? deptId : (await dir.department(organisationId, 'Dept')).id;
    if (!ordered) {
      return tx().run((em) =>
        t
          .get(CertificatesService)
          .storeImported(em, { departmentId: department, leafDer, chainDer }, SEEDER),
      );
    }
    if (!domainReady) {
      const domain = await dir.domain(orgId, 'uni-test.org');
      await usableDomain(dir, domain.id, [deptId]);
      domainReady = true;
    }
    const req = await submitRequest(t, requester.token, deptId, csrFor(names));
    return tx().run((em) =>
      t.get(CertificatesService).storeIssued(em, { requestId: req.id, leafDer, chainDer }),
    );
  }

  // One run of the job at `at`, then delivery.
  async function runAt(at: number | Date, app = t) {
    app.clock.set(new Date(at));
    const result = await app.get(ExpiryReminders).run(app.clock.now());
    await app.get(MailDispatcher).run(app.clock.now());
    return result;
  }

  // Starts each test from a clean slate: earlier certificates out of the way, no cursor.
  async function fresh(at: Date) {
    await tx().manager.update(Certificate, { id: MoreThan(0) }, { state: 'revoked' });
    await tx().manager.delete(ExpiryReminderCursor, { name: Not('') });
    smtp.received.length = 0;
    await runAt(at);
  }

  const textOf = (m: ParsedMail) => m.text ?? '';
  const htmlOf = (m: ParsedMail) => (typeof m.html === 'string' ? m.html : '');

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    t = await createTestApp({
      env: { SMTP_URL: smtp.url, MAIL_TRANSPORT: 'smtp', BASE_URL: 'https://ra.example.org' },
    });
    dir = await new Directory(t).init();
    pki = await createTestPki();
    nrenId = (await dir.nren('Surf')).id;
    orgId = (await dir.organisation(nrenId, 'Uni')).id;
    deptId = (await dir.department(orgId, 'IT')).id;
    await tx().manager.update(Nren, { id: nrenId }, { defaultLanguage: 'nl' });
    await tx().manager.update(
      Organisation,
      { id: orgId },
      { certificateContacts: ['Contact@Uni.example'] },
    );
    requester = await dir.person('req@uni.example', 'requester', deptId);
    await tx().manager.update(User, { id: requester.id }, { language: 'fr' });
    const ops = await dir.person('ops@uni.example', 'requester', deptId);
    await tx().manager.update(User, { id: ops.id }, { language: 'de' });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  it('walks certificates through every threshold, across month and year ends and a DST change', async () => {
    // Local time must not matter: the dates are UTC. Europe/Amsterdam leaves summer time on
    // 2026-10-25 at 01:00 UTC, and is an hour ahead of UTC at the year end.
    const tz = process.env.TZ;
    process.env.TZ = 'Europe/Amsterdam';
    try {
      await fresh(new Date('2026-08-20T00:00:00Z'));
      // A: ordered, ends 31 December 23:30 UTC (already 1 January in Amsterdam).
      const a = await certificate(['www.uni-test.org'], new Date('2026-12-31T23:30:00Z'), true);
      // B and C: imported, their 7-day thresholds fall just after the DST change.
      const b = await certificate(['b.uni.example'], new Date('2026-11-01T01:30:00Z'));
      const c = await certificate(['c.uni.example'], new Date('2026-11-01T03:30:00Z'));
      const extra = await dir.api('get', `/certificates/${a.id}/reminder-settings`);
      expect(extra.status).toBe(200);
      const set = await dir.api('put', `/certificates/${a.id}/reminder-settings`, {
        muted: false,
        extraAddresses: ['ops@uni.example'],
      });
      expect(set.status).toBe(200);

      const end = new Date('2027-01-05T00:00:00Z').getTime();
      for (let at = new Date('2026-08-20T06:00:00Z').getTime(); at <= end; at += 6 * HOUR) {
        await runAt(at);
      }

      // The requester (French) gets A at each threshold, alone.
      const fr = smtp.to('req@uni.example');
      expect(fr).toHaveLength(THRESHOLDS.length);
      for (const m of fr) {
        expect(m.subject).toBe("Rappel d'expiration de certificats (1) : www.uni-test.org");
        expect(textOf(m)).toContain('31 décembre 2026');
        expect(textOf(m)).not.toContain('janvier 2027');
        expect(textOf(m)).toContain(`https://ra.example.org/certificates/${a.id}#renew`);
        expect(htmlOf(m)).toContain(`href="https://ra.example.org/certificates/${a.id}#renew"`);
        expect(htmlOf(m)).toContain('<html lang="fr">');
      }
      expect(textOf(fr[0])).toContain('expire le 31 décembre 2026 (UTC), dans 60 jours');
      expect(textOf(fr[THRESHOLDS.length - 1])).toContain('a expiré le 31 décembre 2026 (UTC)');

      // The extra address has an account in German.
      const de = smtp.to('ops@uni.example');
      expect(de).toHaveLength(THRESHOLDS.length);
      expect(de[0].subject).toBe('Erinnerung an ablaufende Zertifikate (1): www.uni-test.org');
      expect(textOf(de[0])).toContain('31. Dezember 2026');

      // The contact (no account: the NREN's Dutch) gets B and C together, B first, and A alone.
      const nl = smtp.to('contact@uni.example');
      expect(nl).toHaveLength(2 * THRESHOLDS.length);
      const digests = nl.filter((m) => m.subject?.includes('(2)'));
      expect(digests).toHaveLength(THRESHOLDS.length);
      for (const m of digests) {
        expect(m.subject).toBe('Herinnering verlopende certificaten (2): b.uni.example');
        const text = textOf(m);
        expect(text.indexOf('b.uni.example')).toBeLessThan(text.indexOf('c.uni.example'));
        expect(text).toContain('1 november 2026');
      }

      // Each reminder was queued in the run right after its threshold was crossed.
      const log = await tx().manager.find(ExpiryReminder, { order: { id: 'ASC' } });
      for (const cert of [a, b, c]) {
        for (const days of THRESHOLDS) {
          const rows = log.filter((r) => r.certificateId === cert.id && r.thresholdDays === days);
          expect(rows.length).toBeGreaterThan(0);
          for (const r of rows) {
            expect(r.outcome).toBe('sent');
            const delay = r.createdAt.getTime() - crossing(cert, days);
            expect(delay).toBeGreaterThanOrEqual(0);
            expect(delay).toBeLessThan(6 * HOUR);
          }
        }
      }
      expect(log.filter((r) => r.outcome === 'skipped')).toEqual([]);
    } finally {
      process.env.TZ = tz;
    }
  }, 300_000);

  it('after downtime sends only the most urgent threshold and records the others as skipped', async () => {
    const notAfter = new Date('2027-03-10T12:00:00Z');
    await fresh(new Date(notAfter.getTime() - 61 * DAY));
    const d = await certificate(['down.uni.example'], notAfter);
    // Down from 61 days before expiry until 2 days before: 60, 30, 14, 7 and 3 were crossed.
    await runAt(notAfter.getTime() - 2 * DAY);
    await runAt(notAfter.getTime() + 2 * DAY);
    const mails = smtp.to('contact@uni.example');
    expect(mails).toHaveLength(2);
    expect(textOf(mails[0])).toContain('verloopt op 10 maart 2027 (UTC), over 2 dagen');
    expect(textOf(mails[1])).toContain('is verlopen op 10 maart 2027 (UTC)');

    const log = await dir.api('get', `/certificates/${d.id}/reminders`);
    expect(log.status).toBe(200);
    const outcomes = (log.body.items as Array<{ thresholdDays: number; outcome: string }>)
      .map((i) => `${i.thresholdDays}:${i.outcome}`)
      .sort();
    expect(outcomes).toEqual(
      [
        '-1:sent',
        '1:skipped',
        '14:skipped',
        '3:sent',
        '30:skipped',
        '60:skipped',
        '7:skipped',
      ].sort(),
    );
  }, 60_000);

  it('sends nothing for revoked, renewed or muted certificates', async () => {
    const notAfter = new Date('2027-05-10T12:00:00Z');
    await fresh(new Date(notAfter.getTime() - 8 * DAY));
    const revoked = await certificate(['revoked.uni.example'], notAfter);
    await tx().manager.update(Certificate, { id: revoked.id }, { state: 'revoked' });
    const muted = await certificate(['muted.uni.example'], notAfter);
    const mute = await dir.api('put', `/certificates/${muted.id}/reminder-settings`, {
      muted: true,
      extraAddresses: [],
    });
    expect(mute.status).toBe(200);
    // An imported certificate whose renewal (same names, later end) is known too.
    await certificate(['old.uni.example', 'www.old.uni.example'], notAfter);
    await certificate(
      ['old.uni.example', 'www.old.uni.example'],
      new Date(notAfter.getTime() + 80 * DAY),
    );
    const kept = await certificate(['kept.uni.example'], notAfter);

    await runAt(notAfter.getTime() - 6 * DAY);
    const mails = smtp.to('contact@uni.example');
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe('Herinnering verlopende certificaten (1): kept.uni.example');
    const rows = await tx().manager.findBy(ExpiryReminder, { thresholdDays: 7 });
    expect(
      rows
        .filter((r) => r.createdAt.getTime() === notAfter.getTime() - 6 * DAY)
        .map((r) => r.certificateId),
    ).toEqual([kept.id]);
    const audit = await tx().manager.findBy(AuditEvent, {
      subjectType: 'certificate',
      subjectId: String(muted.id),
    });
    expect(audit.map((e) => e.action)).toContain('certificate.reminders-muted');
  }, 60_000);

  it('refuses thresholds that are not day counts, in the caller’s language', async () => {
    const res = await dir.api('put', `/nrens/${nrenId}/reminder-days`, { days: ['soon'] });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toContain('reminder_days_invalid');
  });

  it('uses an organisation’s own thresholds over its NREN’s', async () => {
    const notAfter = new Date('2027-07-10T12:00:00Z');
    await fresh(new Date(notAfter.getTime() - 50 * DAY));
    expect((await dir.api('put', `/nrens/${nrenId}/reminder-days`, { days: [45, 5] })).status).toBe(
      200,
    );
    const org2 = (await dir.organisation(nrenId, 'Other')).id;
    await tx().manager.update(
      Organisation,
      { id: org2 },
      { certificateContacts: ['other@uni.example'] },
    );
    expect(
      (await dir.api('put', `/organisations/${org2}/reminder-days`, { days: '20' })).status,
    ).toBe(200);
    await certificate(['nren.uni.example'], notAfter);
    await certificate(['own.other.example'], notAfter, false, org2);
    for (let at = notAfter.getTime() - 49 * DAY; at <= notAfter.getTime() + 2 * DAY; at += DAY) {
      await runAt(at);
    }
    const days = (mails: ParsedMail[]) =>
      mails.map((m) => /(\d+) dagen|binnen een dag|is verlopen/.exec(textOf(m))?.[0]);
    expect(days(smtp.to('contact@uni.example'))).toEqual(['45 dagen', '5 dagen']);
    expect(days(smtp.to('other@uni.example'))).toEqual(['20 dagen']);
    await dir.api('put', `/nrens/${nrenId}/reminder-days`, { days: [] });
  }, 60_000);

  it('a run that fails halfway leaves the rest to the next run, and nothing twice', async () => {
    const notAfter = new Date('2027-09-10T12:00:00Z');
    await fresh(new Date(notAfter.getTime() - 15 * DAY));
    const a = await certificate(['crash.uni.example'], notAfter);
    const set = await dir.api('put', `/certificates/${a.id}/reminder-settings`, {
      muted: false,
      extraAddresses: ['x1@uni.example', 'x2@uni.example', 'x3@uni.example'],
    });
    expect(set.status).toBe(200);
    const mail = t.get(MailService);
    // The job composes each digest, then queues a batch of them in one transaction.
    const original = mail.compose.bind(mail);
    let calls = 0;
    const spy = jest.spyOn(mail, 'compose').mockImplementation((m) => {
      if (++calls === 3) {
        throw new Error('injected crash');
      }
      return original(m);
    });
    try {
      await expect(runAt(notAfter.getTime() - 13 * DAY)).rejects.toThrow('injected crash');
    } finally {
      spy.mockRestore();
    }
    await t.get(MailDispatcher).run(t.clock.now());
    expect(smtp.received).toHaveLength(2);
    await runAt(notAfter.getTime() - 13 * DAY + HOUR);
    await runAt(notAfter.getTime() - 13 * DAY + 2 * HOUR);
    const to = smtp.received.flatMap((m) => m.envelopeTo).sort();
    expect(to).toEqual([
      'contact@uni.example',
      'x1@uni.example',
      'x2@uni.example',
      'x3@uni.example',
    ]);
  }, 60_000);

  it('two instances running at the same moment remind each person once', async () => {
    const notAfter = new Date('2027-11-10T12:00:00Z');
    await fresh(new Date(notAfter.getTime() - 8 * DAY));
    const other = await createTestApp({
      db: t.db,
      env: { SMTP_URL: smtp.url, MAIL_TRANSPORT: 'smtp', BASE_URL: 'https://ra.example.org' },
    });
    try {
      const extras = Array.from({ length: 12 }, (_, i) => `p${i}@uni.example`);
      const twins = new Map<number, string>();
      for (let i = 0; i < 6; i++) {
        const c = await certificate(
          [`twin${i}.uni.example`],
          new Date(notAfter.getTime() + i * HOUR),
        );
        twins.set(c.id, `twin${i}.uni.example`);
        const set = await dir.api('put', `/certificates/${c.id}/reminder-settings`, {
          muted: false,
          extraAddresses: extras,
        });
        expect(set.status).toBe(200);
      }
      for (const step of [1, 2, 3]) {
        const at = new Date(notAfter.getTime() - 7 * DAY + step * 2 * HOUR);
        t.clock.set(at);
        other.clock.set(at);
        const results = await Promise.all([
          t.get(ExpiryReminders).run(at),
          other.get(ExpiryReminders).run(at),
        ]);
        // Both found the same certificates; between them each reminder was queued once.
        expect(results[0].due).toBe(results[1].due);
      }
      for (;;) {
        const sent = await Promise.all([
          t.get(MailDispatcher).run(t.clock.now()),
          other.get(MailDispatcher).run(other.clock.now()),
        ]);
        if (sent[0].sent + sent[1].sent === 0) {
          break;
        }
      }
      for (const address of [...extras, 'contact@uni.example']) {
        const got = smtp.to(address);
        const names = got.flatMap((m) => textOf(m).match(/twin\d\.uni\.example/g) ?? []);
        // Every certificate once, whichever instance sent it.
        expect(names.sort()).toEqual(Array.from({ length: 6 }, (_, i) => `twin${i}.uni.example`));
      }
      // Each reminder names the mail that carried it (mails are queued many to an INSERT).
      const sent = await tx().manager.findBy(ExpiryReminder, {
        certificateId: In([...twins.keys()]),
        outcome: 'sent',
      });
      expect(sent).toHaveLength(6 * 13);
      for (const r of sent) {
        const m = await tx().manager.findOneByOrFail(MailMessage, { id: r.mailId! });
        expect(m.toAddress.toLowerCase()).toBe(r.recipient);
        expect(m.textBody).toContain(twins.get(r.certificateId));
      }
    } finally {
      await other.close();
    }
  }, 120_000);
});
