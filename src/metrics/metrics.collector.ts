import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { Certificate } from '../certificates/certificate.entity.js';
import { Clock } from '../common/clock.js';
import { Metrics } from '../common/metrics.js';
import { Transactions } from '../database/transactions.js';
import { ExpiryReminder } from '../expiry/expiry-reminder.entity.js';
import { MailMessage } from '../mail/mail-message.entity.js';

const DAY_MS = 86_400_000;
// Valid certificates expiring within each of these many days (cumulative, like buckets).
export const EXPIRY_BUCKETS = [1, 7, 14, 30, 60, 90];

// Figures read from the database at each scrape, so every instance reports the same.
@Injectable()
export class MetricsCollector {
  private readonly certificates: Gauge<'state'>;
  private readonly expiring: Gauge<'within_days'>;
  private readonly reminders: Gauge<'outcome'>;
  private readonly mail: Gauge<'status'>;

  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    metrics: Metrics,
  ) {
    const registers = [metrics.registry];
    this.certificates = new Gauge({
      name: 'tcs_certificates',
      help: 'Certificates by state (expired: valid ones past their end)',
      labelNames: ['state'],
      registers,
    });
    this.expiring = new Gauge({
      name: 'tcs_certificates_expiring',
      help: 'Valid certificates expiring within the given number of days',
      labelNames: ['within_days'],
      registers,
    });
    this.reminders = new Gauge({
      name: 'tcs_expiry_reminders',
      help: 'Expiry reminders recorded, by outcome (sent, skipped)',
      labelNames: ['outcome'],
      registers,
    });
    this.mail = new Gauge({
      name: 'tcs_mail_messages',
      help: 'Mail by status: queued is the queue depth, failed gave up after every retry',
      labelNames: ['status'],
      registers,
    });
  }

  async collect(): Promise<void> {
    const em = this.tx.manager;
    const now = this.clock.now();
    const byState = await em
      .createQueryBuilder(Certificate, 'c')
      .select('c.state', 'state')
      .addSelect('COUNT(*)', 'n')
      .groupBy('c.state')
      .getRawMany<{ state: string; n: string | number }>();
    const expired = await em
      .createQueryBuilder(Certificate, 'c')
      .where("c.state = 'valid' AND c.notAfter <= :now", { now })
      .getCount();
    this.certificates.reset();
    for (const state of ['valid', 'revoked', 'superseded']) {
      const n = Number(byState.find((r) => r.state === state)?.n ?? 0);
      this.certificates.set({ state }, state === 'valid' ? n - expired : n);
    }
    this.certificates.set({ state: 'expired' }, expired);
    for (const days of EXPIRY_BUCKETS) {
      const n = await em
        .createQueryBuilder(Certificate, 'c')
        .where("c.state = 'valid' AND c.notAfter > :now AND c.notAfter <= :until", {
          now,
          until: new Date(now.getTime() + days * DAY_MS),
        })
        .getCount();
      this.expiring.set({ within_days: String(days) }, n);
    }
    const outcomes = await em
      .createQueryBuilder(ExpiryReminder, 'r')
      .select('r.outcome', 'outcome')
      .addSelect('COUNT(*)', 'n')
      .groupBy('r.outcome')
      .getRawMany<{ outcome: string; n: string | number }>();
    for (const outcome of ['sent', 'skipped']) {
      this.reminders.set({ outcome }, Number(outcomes.find((r) => r.outcome === outcome)?.n ?? 0));
    }
    const statuses = await em
      .createQueryBuilder(MailMessage, 'm')
      .select('m.status', 'status')
      .addSelect('COUNT(*)', 'n')
      .groupBy('m.status')
      .getRawMany<{ status: string; n: string | number }>();
    for (const status of ['queued', 'sent', 'failed']) {
      this.mail.set({ status }, Number(statuses.find((r) => r.status === status)?.n ?? 0));
    }
  }
}
