import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Clock } from '../common/clock.js';
import { Transactions } from '../database/transactions.js';
import { MailMessage } from './mail-message.entity.js';
import { forgetSecrets } from './mail-secrets.js';
import { MailTransport } from './mail-transport.js';
import { wholeSeconds } from './whole-seconds.js';

export const DISPATCH_BATCH = 20;
export const MAX_ATTEMPTS = 8;
// Wait after the 1st, 2nd, … failed attempt; the 8th failure gives up (about 22 h in all).
export const BACKOFF_MINUTES = [1, 5, 15, 60, 180, 360, 720];
// A claim outlives a crashed instance by this much, then another instance may take the row.
const LEASE_MS = 10 * 60_000;
// Start no new delivery this long after claiming: with the SMTP timeouts one delivery ends
// well within the rest of the lease, so no row is ever delivered by two holders.
const DELIVERY_WINDOW_MS = 4 * 60_000;
const ERROR_MAX = 500;

export interface DispatchResult {
  sent: number;
  failed: number;
}

export function nextAttemptAfter(failedAttempts: number, now: Date): Date {
  const minutes = BACKOFF_MINUTES[Math.min(failedAttempts, BACKOFF_MINUTES.length) - 1] ?? 1;
  return new Date(now.getTime() + minutes * 60_000);
}

// Delivers queued mail. Rows are claimed through the database (claimed_by/claimed_until), so
// any number of instances may run this at once and each row is handed to the transport by
// one of them only.
//
// Delivery is exactly-once except in one case: a process that dies after the SMTP server
// accepted a message but before the row is marked sent. The claim then expires and another
// instance sends it again; SMTP has no idempotency key to prevent that, so that case is
// at-least-once. The stable Message-ID lets a recipient's client spot the duplicate.
@Injectable()
export class MailDispatcher implements OnModuleDestroy {
  private readonly logger = new Logger(MailDispatcher.name);
  private readonly instance = [
    hostname().slice(0, 30),
    process.pid,
    randomBytes(4).toString('hex'),
  ].join(':');
  private runs = 0;
  private active: Promise<void> | null = null;
  private again = false;
  private closing = false;

  constructor(
    private readonly tx: Transactions,
    private readonly transport: MailTransport,
    private readonly clock: Clock,
  ) {}

  async run(now: Date): Promise<DispatchResult> {
    const started = performance.now();
    // Unique per run: two runs of one process must not read each other's claims.
    const claim = `${this.instance}#${++this.runs}`;
    const claimed = await this.claim(claim, now);
    const result: DispatchResult = { sent: 0, failed: 0 };
    for (const [index, message] of claimed.entries()) {
      if (performance.now() - started > DELIVERY_WINDOW_MS) {
        await this.release(claim, claimed.slice(index));
        break;
      }
      try {
        await this.transport.deliver({
          to: message.toAddress,
          subject: message.subject,
          text: message.textBody,
          html: message.htmlBody,
          key: `mail-${message.id}.${message.createdAt.getTime()}`,
        });
      } catch (err) {
        await this.markFailed(claim, message, err, now);
        result.failed += 1;
        continue;
      }
      await this.markSent(claim, message, now);
      result.sent += 1;
    }
    return result;
  }

  // Fire and forget, for code that has just queued mail (after its transaction committed).
  // Runs in this process never overlap; a kick during a run asks for one more run after it.
  kick(): void {
    if (this.closing) {
      return;
    }
    if (this.active) {
      this.again = true;
      return;
    }
    this.active = this.drain().finally(() => {
      this.active = null;
    });
  }

  @Cron('*/15 * * * * *', { name: 'mail-dispatch' })
  async dispatchJob(): Promise<void> {
    this.kick();
    await this.active;
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    await this.active;
  }

  private async drain(): Promise<void> {
    try {
      let result: DispatchResult;
      do {
        this.again = false;
        result = await this.run(this.clock.now());
        if (result.sent + result.failed > 0) {
          this.logger.log(`mail: ${result.sent} sent, ${result.failed} failed`);
        }
      } while (!this.closing && (this.again || result.sent + result.failed === DISPATCH_BATCH));
    } catch (err) {
      // Never into the caller: the rows stay queued and the next run tries again.
      this.logger.error(`mail dispatch failed: ${(err as Error).message}`, (err as Error).stack);
    }
  }

  private async claim(claim: string, now: Date): Promise<MailMessage[]> {
    const until = wholeSeconds(new Date(now.getTime() + LEASE_MS));
    const due = `status = 'queued' AND next_attempt_at <= :now
      AND (claimed_until IS NULL OR claimed_until < :now)`;
    // One statement, so two instances cannot both take a row. MySQL allows ORDER BY/LIMIT in
    // UPDATE but not LIMIT in an IN subquery; SQLite is the other way round.
    const sql =
      this.tx.dialect === 'mysql'
        ? `UPDATE mail_messages SET claimed_by = :claim, claimed_until = :until
           WHERE ${due} ORDER BY id LIMIT ${DISPATCH_BATCH}`
        : `UPDATE mail_messages SET claimed_by = :claim, claimed_until = :until
           WHERE id IN (SELECT id FROM mail_messages WHERE ${due} ORDER BY id LIMIT ${DISPATCH_BATCH})`;
    await this.tx.run((em) => {
      // The driver turns the Dates into what each dialect stores (SQLite: UTC text).
      const [query, params] = em.connection.driver.escapeQueryWithParameters(sql, {
        claim,
        until,
        now,
      });
      return em.query(query, params);
    });
    return this.tx.manager.find(MailMessage, {
      where: { claimedBy: claim, status: 'queued' },
      order: { id: 'ASC' },
    });
  }

  private async markSent(claim: string, message: MailMessage, now: Date): Promise<void> {
    const result = await this.tx.run((em) =>
      em.update(
        MailMessage,
        { id: message.id, claimedBy: claim },
        {
          status: 'sent',
          sentAt: wholeSeconds(now),
          transport: this.transport.name,
          attempts: () => 'attempts + 1',
          lastError: null,
          claimedBy: null,
          claimedUntil: null,
        },
      ),
    );
    if (result.affected === 0) {
      this.logger.warn(`mail ${message.id}: claim lost before it was marked sent`);
    }
    // Delivered elsewhere: the queue keeps no working link. The outbox is where mail is
    // read, so there the link stays until it is used or expires.
    if (this.transport.name === 'smtp') {
      await this.tx.run((em) => forgetSecrets(em, { id: message.id }));
    }
  }

  private async markFailed(
    claim: string,
    message: MailMessage,
    err: unknown,
    now: Date,
  ): Promise<void> {
    const attempts = message.attempts + 1;
    const reason = err instanceof Error ? err.message : String(err);
    this.logger.warn(`mail ${message.id}: attempt ${attempts} failed: ${reason}`);
    await this.tx.run((em) =>
      em.update(
        MailMessage,
        { id: message.id, claimedBy: claim },
        {
          status: attempts >= MAX_ATTEMPTS ? 'failed' : 'queued',
          attempts,
          nextAttemptAt: wholeSeconds(nextAttemptAfter(attempts, now)),
          transport: this.transport.name,
          lastError: reason.slice(0, ERROR_MAX),
          claimedBy: null,
          claimedUntil: null,
        },
      ),
    );
  }

  // Hands back what this run will not get to, so the next run need not wait for the lease.
  private async release(claim: string, messages: MailMessage[]): Promise<void> {
    await this.tx.run(async (em) => {
      for (const m of messages) {
        await em.update(
          MailMessage,
          { id: m.id, claimedBy: claim },
          { claimedBy: null, claimedUntil: null },
        );
      }
    });
  }
}
