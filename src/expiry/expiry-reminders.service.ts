import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { In, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { User } from '../accounts/user.entity.js';
import { CertificateName } from '../certificates/certificate-name.entity.js';
import { Certificate } from '../certificates/certificate.entity.js';
import { reverseName } from '../certificates/search.js';
import { appConfig } from '../config/app.config.js';
import { expiryConfig } from '../config/expiry.config.js';
import { isDuplicateKey } from '../database/database-errors.js';
import { insertOnce } from '../database/exactly-once.js';
import { Transactions } from '../database/transactions.js';
import { wholeSeconds } from '../database/whole-seconds.js';
import { isLanguage, type Language } from '../i18n/languages.js';
import type { MailMessage } from '../mail/mail-message.entity.js';
import { MailService, type MailRequest } from '../mail/mail.service.js';
import { Nren } from '../nrens/nren.entity.js';
import { Organisation } from '../organisations/organisation.entity.js';
import { CertificateRequest } from '../requests/certificate-request.entity.js';
import {
  CertificateReminderSettings,
  ExpiryReminder,
  ExpiryReminderCursor,
  ExpiryReminderPolicy,
} from './expiry-reminder.entity.js';
import { crossedIn, DAY_MS, dueRanges, parseThresholds } from './thresholds.js';

export const REMINDER_TEMPLATE = 'expiry-reminder';
const CURSOR = 'reminders';
// The very first run looks back this far; every later one starts where the last one ended.
const FIRST_LOOKBACK_MS = DAY_MS;
export const DUE_SCAN_PAGE = 5000;
const CHUNK = 1000;
// Digests written in one transaction, and about how many reminder rows at most.
const BATCH_MAILS = 100;
const BATCH_ROWS = 2000;
// Rows in one INSERT statement.
const INSERT_ROWS = 500;
// Runs of a batch that found its keys taken by another instance mid-way.
const TAKEN_ATTEMPTS = 5;
const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

export interface ReminderRunResult {
  from: Date;
  to: Date;
  // Certificates that crossed a threshold in the window (before mutes and renewals).
  due: number;
  mails: number;
  reminders: number;
  skipped: number;
  scanMs: number;
}

interface Due {
  id: number;
  nrenId: number;
  organisationId: number;
  requestId: number | null;
  source: string;
  mainName: string;
  notAfter: Date;
  send: number;
  skipped: number[];
}

interface Sent {
  mails: number;
  reminders: number;
  skipped: number;
}

// What a digest says of a certificate; one object per due certificate, shared by its
// recipients' digests.
type Item = Pick<Due, 'id' | 'mainName' | 'notAfter' | 'send' | 'skipped'>;

interface Recipient {
  address: string;
  language: Language;
  items: Item[];
}

// What the recipients are found from, gathered page by page over the scan: the digests so
// far and what was looked up for them (organisations, NREN languages, people).
interface Gathered {
  byAddress: Map<string, Recipient>;
  organisations: Map<number, Organisation>;
  nrenLanguage: Map<number, Language>;
  users: Map<number, User>;
  // By lower-case address: the language of the account with that e-mail address, null when
  // there is none (or it has no language of its own).
  languageOf: Map<string, Language | null>;
}

interface Policies {
  // Every threshold any certificate may have: what the scan covers.
  all: number[];
  of: (c: { nrenId: number; organisationId: number }) => number[];
}

// A row of the due scan as the driver returns it (SQLite: not_after as text).
interface DueRow {
  id: number;
  nren_id: number;
  organisation_id: number;
  request_id: number | null;
  source: string;
  main_name: string;
  not_after: Date | string;
}

// One page of the due scan: valid certificates whose not_after lies in one of the ranges,
// in (not_after, id) order after the last one seen. One range scan of ix_certificates_expiry
// (not_after, id, state), state read from the index; exported so the benchmark can EXPLAIN
// exactly this statement.
export function dueScanPage(
  em: EntityManager,
  ranges: Array<{ after: Date; upTo: Date }>,
  after: { notAfter: Date; id: number } | null,
  limit: number,
): [string, unknown[]] {
  const params: Record<string, unknown> = {};
  const within = ranges.map((r, i) => {
    params[`a${i}`] = r.after;
    params[`u${i}`] = r.upTo;
    return `(not_after > :a${i} AND not_after <= :u${i})`;
  });
  let keyset = '';
  if (after) {
    params.lastAt = after.notAfter;
    params.lastId = after.id;
    keyset = ' AND (not_after > :lastAt OR (not_after = :lastAt AND id > :lastId))';
  }
  const sql = `SELECT id, nren_id, organisation_id, request_id, source, main_name, not_after
    FROM certificates
    WHERE state = 'valid' AND (${within.join(' OR ')})${keyset}
    ORDER BY not_after, id
    LIMIT ${Math.max(1, Math.floor(limit))}`;
  return em.connection.driver.escapeQueryWithParameters(sql, params);
}

// Reminds the people responsible for a certificate as it crosses each reminder threshold.
// Every instance may run it at the same moment: what happens once is guaranteed by the
// unique (certificate, threshold, recipient) row written in the transaction that queues its
// mail (remindBatch), and the cursor only moves once a run has handled its whole window, so
// a crash mid-run leaves the rest to the next run.
@Injectable()
export class ExpiryReminders {
  private readonly logger = new Logger(ExpiryReminders.name);

  constructor(
    private readonly tx: Transactions,
    private readonly mail: MailService,
    @Inject(expiryConfig.KEY) private readonly config: ConfigType<typeof expiryConfig>,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  async run(now: Date): Promise<ReminderRunResult> {
    const to = wholeSeconds(now);
    const cursor = await this.tx.manager.findOneBy(ExpiryReminderCursor, { name: CURSOR });
    const from = cursor ? cursor.position : new Date(to.getTime() - FIRST_LOOKBACK_MS);
    const result: ReminderRunResult = {
      from,
      to,
      due: 0,
      mails: 0,
      reminders: 0,
      skipped: 0,
      scanMs: 0,
    };
    if (to.getTime() <= from.getTime()) {
      return result;
    }
    // Page by page: what is kept across pages is one small item per due certificate and the
    // digests they make, not the rows read.
    const timing = { ms: 0 };
    const gathered: Gathered = {
      byAddress: new Map(),
      organisations: new Map(),
      nrenLanguage: new Map(),
      users: new Map(),
      languageOf: new Map(),
    };
    for await (const page of this.scan(from, to, timing)) {
      result.due += page.length;
      await this.gather(await this.stillWanted(page), gathered);
    }
    result.scanMs = timing.ms;
    const recipients = [...gathered.byAddress.values()].sort((a, b) =>
      a.address < b.address ? -1 : 1,
    );
    for (const batch of batches(recipients)) {
      const sent = await this.remindBatch(batch, to);
      result.reminders += sent.reminders;
      result.skipped += sent.skipped;
      result.mails += sent.mails;
    }
    await this.advance(to);
    if (result.mails > 0) {
      this.logger.log(
        `expiry reminders: ${result.mails} mails, ${result.reminders} reminders, ${result.skipped} skipped`,
      );
    }
    return result;
  }

  // The thresholds that apply to a certificate: its organisation's, else its NREN's, else the
  // configured default.
  private async policies(): Promise<Policies> {
    const rows = await this.tx.manager.find(ExpiryReminderPolicy);
    const nren = new Map<number, number[]>();
    const organisation = new Map<number, number[]>();
    for (const row of rows) {
      const days = parseThresholds(row.days);
      if (days) {
        (row.scope === 'nren' ? nren : organisation).set(row.scopeId, days);
      }
    }
    const all = new Set([
      ...this.config.thresholds,
      ...[...nren.values(), ...organisation.values()].flat(),
    ]);
    return {
      all: [...all],
      of: (c) => organisation.get(c.organisationId) ?? nren.get(c.nrenId) ?? this.config.thresholds,
    };
  }

  // Keyset-paged over the expiry index, within the not_after ranges that can hold a crossing:
  // plain SQL (dueScanPage), each page's due certificates handed on before the next is read.
  // timing.ms adds up the time spent finding them (the policies, the pages, the filtering).
  private async *scan(from: Date, to: Date, timing: { ms: number }): AsyncGenerator<Due[]> {
    let started = performance.now();
    const policy = await this.policies();
    const em = this.tx.manager;
    const ranges = dueRanges(policy.all, from, to);
    const notAfter = em.connection.getMetadata(Certificate).findColumnWithPropertyName('notAfter')!;
    let after: { notAfter: Date; id: number } | null = null;
    for (;;) {
      const [sql, params] = dueScanPage(em, ranges, after, DUE_SCAN_PAGE);
      const rows: DueRow[] = await em.query(sql, params);
      const page: Due[] = [];
      for (const row of rows) {
        const due = {
          id: row.id,
          nrenId: row.nren_id,
          organisationId: row.organisation_id,
          requestId: row.request_id,
          source: row.source,
          mainName: row.main_name,
          notAfter: em.connection.driver.prepareHydratedValue(row.not_after, notAfter) as Date,
        };
        const crossed = crossedIn(due.notAfter, policy.of(due), from, to);
        if (crossed) {
          page.push({ ...due, send: crossed.send, skipped: crossed.skipped });
        }
        after = due;
      }
      timing.ms += performance.now() - started;
      if (page.length > 0) {
        yield page;
      }
      if (rows.length < DUE_SCAN_PAGE) {
        return;
      }
      started = performance.now();
    }
  }

  // Leaves out certificates muted by an RAO and imported ones for whose names a newer
  // certificate is known.
  private async stillWanted(due: Due[]): Promise<Array<Due & { extra: string[] }>> {
    const out: Array<Due & { extra: string[] }> = [];
    for (const chunk of chunks(due, CHUNK)) {
      const settings = new Map(
        (
          await this.tx.manager.findBy(CertificateReminderSettings, {
            certificateId: In(chunk.map((d) => d.id)),
          })
        ).map((s) => [s.certificateId, s]),
      );
      const renewed = await this.newerKnown(chunk.filter((d) => d.source === 'imported'));
      for (const d of chunk) {
        const s = settings.get(d.id);
        if (s?.mutedAt || renewed.has(d.id)) {
          continue;
        }
        out.push({ ...d, extra: splitAddresses(s?.extraAddresses ?? '') });
      }
    }
    return out;
  }

  // Imported certificates with a newer valid certificate for exactly the same names in the
  // same organisation (renewed elsewhere, and that renewal imported too).
  private async newerKnown(imported: Due[]): Promise<Set<number>> {
    const renewed = new Set<number>();
    if (imported.length === 0) {
      return renewed;
    }
    const em = this.tx.manager;
    // First the name index alone (it holds the certificate id): which other certificates carry
    // a due one's main name. Usually none, and then no certificate row is read at all; by
    // main_name and organisation MySQL would read every certificate of the organisations
    // involved, which at a million certificates is most of them.
    const byReversed = new Map<string, Due[]>();
    for (const d of imported) {
      const key = reverseName(d.mainName).slice(0, 253);
      byReversed.set(key, [...(byReversed.get(key) ?? []), d]);
    }
    const sharing = new Map<number, Due[]>();
    for (const chunk of chunks([...byReversed.keys()], CHUNK)) {
      const rows = await em.find(CertificateName, {
        select: { certificateId: true, name: true, reversed: true },
        where: { reversed: In(chunk) },
      });
      for (const r of rows) {
        for (const d of byReversed.get(r.reversed.toLowerCase()) ?? []) {
          if (r.certificateId !== d.id) {
            sharing.set(r.certificateId, [...(sharing.get(r.certificateId) ?? []), d]);
          }
        }
      }
    }
    const newer: Array<readonly [number, number]> = [];
    for (const chunk of chunks([...sharing.keys()], CHUNK)) {
      const candidates = await em.find(Certificate, {
        select: { id: true, organisationId: true, mainName: true, notAfter: true },
        where: { id: In(chunk), state: 'valid' },
      });
      for (const c of candidates) {
        for (const d of sharing.get(c.id) ?? []) {
          if (
            c.organisationId === d.organisationId &&
            c.mainName === d.mainName &&
            c.notAfter.getTime() > d.notAfter.getTime()
          ) {
            newer.push([d.id, c.id]);
          }
        }
      }
    }
    if (newer.length === 0) {
      return renewed;
    }
    const ids = [...new Set(newer.flat())];
    const names = new Map<number, string>();
    for (const chunk of chunks(ids, CHUNK)) {
      const rows = await em.findBy(CertificateName, { certificateId: In(chunk) });
      const grouped = new Map<number, string[]>();
      for (const r of rows) {
        grouped.set(r.certificateId, [...(grouped.get(r.certificateId) ?? []), r.name]);
      }
      for (const [id, list] of grouped) {
        names.set(id, list.sort().join('\n'));
      }
    }
    for (const [old, fresh] of newer) {
      if (names.get(old) === names.get(fresh)) {
        renewed.add(old);
      }
    }
    return renewed;
  }

  // The requester of an ordered certificate, the organisation's certificate contacts and the
  // certificate's extra addresses; each in their stored language (an account's own, else the
  // NREN's default). Adds one page's certificates to the digests gathered so far, looking up
  // only what earlier pages did not.
  private async gather(due: Array<Due & { extra: string[] }>, g: Gathered): Promise<void> {
    const em = this.tx.manager;
    const missing = <T>(ids: Iterable<T>, known: Map<T, unknown>) =>
      [...new Set(ids)].filter((id) => !known.has(id));
    for (const chunk of chunks(
      missing(
        due.map((d) => d.organisationId),
        g.organisations,
      ),
      CHUNK,
    )) {
      for (const o of await em.findBy(Organisation, { id: In(chunk) })) {
        g.organisations.set(o.id, o);
      }
    }
    for (const chunk of chunks(
      missing(
        due.map((d) => d.nrenId),
        g.nrenLanguage,
      ),
      CHUNK,
    )) {
      for (const n of await em.findBy(Nren, { id: In(chunk) })) {
        g.nrenLanguage.set(n.id, isLanguage(n.defaultLanguage) ? n.defaultLanguage : 'en');
      }
    }
    const requesterOf = new Map<number, number>();
    const requestIds = [
      ...new Set(due.flatMap((d) => (d.requestId === null ? [] : [d.requestId]))),
    ];
    for (const chunk of chunks(requestIds, CHUNK)) {
      const rows = await em.find(CertificateRequest, {
        select: { id: true, requesterId: true },
        where: { id: In(chunk) },
      });
      rows.forEach((r) => requesterOf.set(r.id, r.requesterId));
    }
    for (const chunk of chunks(missing(requesterOf.values(), g.users), CHUNK)) {
      for (const u of await em.findBy(User, { id: In(chunk) })) {
        g.users.set(u.id, u);
        g.languageOf.set(u.email.toLowerCase(), isLanguage(u.language) ? u.language : null);
      }
    }
    // Contacts and extra addresses who have an account get their own language.
    const addresses = due.flatMap((d) => [
      ...(g.organisations.get(d.organisationId)?.certificateContacts ?? []),
      ...d.extra,
    ]);
    for (const chunk of chunks(
      missing(
        addresses.map((a) => a.toLowerCase()),
        g.languageOf,
      ),
      CHUNK,
    )) {
      for (const a of chunk) {
        g.languageOf.set(a, null);
      }
      for (const u of await em.findBy(User, { email: In(chunk) })) {
        g.languageOf.set(u.email.toLowerCase(), isLanguage(u.language) ? u.language : null);
      }
    }
    for (const d of due) {
      const fallback = g.nrenLanguage.get(d.nrenId) ?? 'en';
      const item: Item = {
        id: d.id,
        mainName: d.mainName,
        notAfter: d.notAfter,
        send: d.send,
        skipped: d.skipped,
      };
      const requester =
        d.requestId === null ? undefined : g.users.get(requesterOf.get(d.requestId) ?? -1);
      const people = [
        ...(requester ? [requester.email] : []),
        ...(g.organisations.get(d.organisationId)?.certificateContacts ?? []),
        ...d.extra,
      ];
      for (const person of people) {
        const address = person.trim().toLowerCase();
        if (address.length > 254 || !ADDRESS.test(address)) {
          continue;
        }
        let r = g.byAddress.get(address);
        if (!r) {
          r = {
            address,
            language: g.languageOf.get(person.toLowerCase()) ?? fallback,
            items: [],
          };
          g.byAddress.set(address, r);
        }
        // The same person twice for one certificate (a contact who also ordered it): once.
        if (r.items[r.items.length - 1] !== item) {
          r.items.push(item);
        }
      }
    }
  }

  // Several recipients' digests in one transaction: for each, the reminder rows still free
  // and the mail listing exactly those, written together. Another instance that got there
  // first holds the rows (its insert committed, or commits while ours waits on the key): ours
  // then fails on the unique key, is rolled back whole, and runs again, and now reads those
  // rows as taken. Should a digest fail (rendering, queueing), the ones before it in the batch
  // are written in a transaction of their own before the error goes up, as when each digest
  // had its own transaction: what was done is kept, the rest is left to the next run.
  private async remindBatch(batch: Recipient[], now: Date): Promise<Sent> {
    const failed = { at: -1 };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.tx.runRetrying((em) => this.remind(em, batch, now, failed));
      } catch (err) {
        if (isDuplicateKey(err) && attempt < TAKEN_ATTEMPTS) {
          continue;
        }
        if (failed.at > 0) {
          const done = batch.slice(0, failed.at);
          await this.tx.runRetrying((em) => this.remind(em, done, now, { at: -1 }));
        }
        throw err;
      }
    }
  }

  private async remind(
    em: EntityManager,
    batch: Recipient[],
    now: Date,
    failed: { at: number },
  ): Promise<Sent> {
    failed.at = -1;
    const taken = await this.taken(em, batch);
    const sent: Sent = { mails: 0, reminders: 0, skipped: 0 };
    const rows: QueryDeepPartialEntity<ExpiryReminder>[] = [];
    const digests: Array<{ recipient: Recipient; fresh: Item[]; message: MailMessage }> = [];
    for (let i = 0; i < batch.length; i++) {
      const recipient = batch[i];
      const fresh: Item[] = [];
      for (const item of recipient.items) {
        if (!taken.has(reminderKey(item.id, item.send, recipient.address))) {
          fresh.push(item);
        }
        for (const threshold of item.skipped) {
          if (!taken.has(reminderKey(item.id, threshold, recipient.address))) {
            rows.push({
              recipient: recipient.address,
              createdAt: now,
              certificateId: item.id,
              thresholdDays: threshold,
              outcome: 'skipped',
              mailId: null,
            });
            sent.skipped += 1;
          }
        }
      }
      if (fresh.length === 0) {
        continue;
      }
      try {
        digests.push({
          recipient,
          fresh,
          message: this.mail.compose(this.digest(recipient, fresh, now)),
        });
      } catch (err) {
        failed.at = i;
        throw err;
      }
    }
    await this.mail.queueAll(
      em,
      digests.map((d) => d.message),
    );
    for (const { recipient, fresh, message } of digests) {
      for (const item of fresh) {
        rows.push({
          recipient: recipient.address,
          createdAt: now,
          certificateId: item.id,
          thresholdDays: item.send,
          outcome: 'sent',
          mailId: message.id,
        });
      }
      sent.mails += 1;
      sent.reminders += fresh.length;
    }
    // In key order, as every instance writes them, so two of them wait on each other's keys
    // in the same order rather than deadlock.
    rows.sort(
      (a, b) =>
        (a.certificateId as number) - (b.certificateId as number) ||
        (a.thresholdDays as number) - (b.thresholdDays as number) ||
        ((a.recipient as string) < (b.recipient as string) ? -1 : 1),
    );
    for (const chunk of chunks(rows, INSERT_ROWS)) {
      await em
        .createQueryBuilder()
        .insert()
        .into(ExpiryReminder)
        .values(chunk)
        .updateEntity(false)
        .execute();
    }
    return sent;
  }

  // The (certificate, threshold, recipient) keys of the batch that are recorded already.
  private async taken(em: EntityManager, batch: Recipient[]): Promise<Set<string>> {
    const ids = [...new Set(batch.flatMap((r) => r.items.map((i) => i.id)))];
    const addresses = batch.map((r) => r.address);
    const taken = new Set<string>();
    for (const chunk of chunks(ids, CHUNK)) {
      const rows = await em.find(ExpiryReminder, {
        select: { certificateId: true, thresholdDays: true, recipient: true },
        where: { certificateId: In(chunk), recipient: In(addresses) },
      });
      for (const r of rows) {
        taken.add(reminderKey(r.certificateId, r.thresholdDays, r.recipient));
      }
    }
    return taken;
  }

  // The mail for one recipient: most urgent first (the earliest expiry).
  private digest(recipient: Recipient, fresh: Item[], now: Date): MailRequest {
    const sorted = [...fresh].sort(
      (a, b) => a.notAfter.getTime() - b.notAfter.getTime() || a.id - b.id,
    );
    const certificates = sorted.map((d) => {
      const days = Math.ceil((d.notAfter.getTime() - now.getTime()) / DAY_MS);
      return {
        id: d.id,
        name: d.mainName,
        notAfter: d.notAfter,
        expired: d.notAfter.getTime() <= now.getTime(),
        days,
        soon: days <= 1,
        url: `${this.app.baseUrl}/certificates/${d.id}`,
        renewUrl: `${this.app.baseUrl}/certificates/${d.id}#renew`,
      };
    });
    return {
      to: recipient.address,
      template: REMINDER_TEMPLATE,
      language: recipient.language,
      context: { certificates, count: certificates.length, first: certificates[0].name },
    };
  }

  private async advance(to: Date): Promise<void> {
    await this.tx.runRetrying(async (em) => {
      if (await insertOnce(em, ExpiryReminderCursor, { name: CURSOR, position: to })) {
        return;
      }
      await em
        .createQueryBuilder()
        .update(ExpiryReminderCursor)
        .set({ position: to })
        .where('name = :name AND position < :to', { name: CURSOR, to })
        .execute();
    });
  }
}

function reminderKey(certificateId: number, threshold: number, recipient: string): string {
  return `${certificateId} ${threshold} ${recipient}`;
}

// Recipients in order, cut into transactions of at most BATCH_MAILS digests and about
// BATCH_ROWS reminder rows.
function* batches(recipients: Recipient[]): Generator<Recipient[]> {
  let batch: Recipient[] = [];
  let rows = 0;
  for (const r of recipients) {
    const size = r.items.reduce((n, i) => n + 1 + i.skipped.length, 0);
    if (batch.length > 0 && (batch.length >= BATCH_MAILS || rows + size > BATCH_ROWS)) {
      yield batch;
      batch = [];
      rows = 0;
    }
    batch.push(r);
    rows += size;
  }
  if (batch.length > 0) {
    yield batch;
  }
}

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) {
    out.push(list.slice(i, i + size));
  }
  return out;
}

export function splitAddresses(value: string): string[] {
  return value
    .split(/[\s,;]+/)
    .map((a) => a.trim())
    .filter((a) => a !== '');
}
