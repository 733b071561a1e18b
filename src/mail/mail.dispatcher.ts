import { Injectable, Logger, Optional, type OnModuleDestroy } from '@nestjs/common';
import { Cron, SchedulerRegistry } from '@nestjs/schedule';
import { performance } from 'node:perf_hooks';
import { Clock } from '../common/clock.js';
import { Leases, type Claim } from '../database/leases.js';
import { Transactions } from '../database/transactions.js';
import { wholeSeconds } from '../database/whole-seconds.js';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { MailMessage } from './mail-message.entity.js';
import { forgetSecrets } from './mail-secrets.js';
import { MailTransport } from './mail-transport.js';

export const MAIL_DISPATCH_JOB = 'mail-dispatch';
// Claimed per run: enough to keep SMTP_CONNECTIONS deliveries going, few enough that the
// instances sharing a queue each get some.
export const DISPATCH_BATCH = 40;
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

// Delivers queued mail. Rows are claimed through the lease helper, so any number of instances
// may run this at once and each row is handed to the transport by one of them only.
//
// Delivery is exactly-once except in one case: a process that dies after the SMTP server
// accepted a message but before the row is marked sent. The claim then expires and another
// instance sends it again; SMTP has no idempotency key to prevent that, so that case is
// at-least-once. The stable Message-ID lets a recipient's client spot the duplicate.
@Injectable()
export class MailDispatcher implements OnModuleDestroy {
  private readonly logger = new Logger(MailDispatcher.name);
  private active: Promise<void> | null = null;
  private again = false;
  private closing = false;

  constructor(
    private readonly tx: Transactions,
    private readonly leases: Leases,
    private readonly transport: MailTransport,
    private readonly clock: Clock,
    // Absent in the CLI, which runs no schedules.
    @Optional() private readonly schedules?: SchedulerRegistry,
  ) {}

  async run(now: Date): Promise<DispatchResult> {
    const started = performance.now();
    const claim = await this.leases.claim(MailMessage, {
      due: "status = 'queued' AND next_attempt_at <= :now",
      limit: DISPATCH_BATCH,
      leaseMs: LEASE_MS,
      now,
    });
    const result: DispatchResult = { sent: 0, failed: 0 };
    const marks = new Marks((outcomes) => this.record(claim, outcomes, now));
    // As many deliveries at once as the transport takes; each outcome is recorded before
    // its worker starts another, in a transaction shared with the outcomes that arrive while
    // the previous one commits.
    let next = 0;
    let stopped = false;
    const worker = async (): Promise<void> => {
      while (!stopped && next < claim.rows.length) {
        if (performance.now() - started > DELIVERY_WINDOW_MS) {
          return;
        }
        const message = claim.rows[next++];
        let error: Error | null = null;
        try {
          await this.transport.deliver({
            to: message.toAddress,
            subject: message.subject,
            text: message.textBody,
            html: message.htmlBody,
            key: `mail-${message.id}.${message.createdAt.getTime()}`,
          });
        } catch (err) {
          error = err instanceof Error ? err : new Error(String(err));
        }
        await marks.add({ message, error });
        result[error === null ? 'sent' : 'failed'] += 1;
      }
    };
    const workers = Array.from(
      { length: Math.max(1, Math.min(this.transport.parallel, claim.rows.length)) },
      () =>
        worker().catch((err: unknown) => {
          stopped = true;
          throw err;
        }),
    );
    const settled = await Promise.allSettled(workers);
    // Rows never handed to the transport (out of time, or a failed write) go back at once.
    const untouched = claim.rows.slice(next);
    const failure = settled.find((s) => s.status === 'rejected');
    if (failure) {
      // The lease frees them anyway if the database is what failed.
      await this.leases.release(claim, untouched).catch(() => 0);
      throw failure.reason;
    }
    await this.leases.release(claim, untouched);
    return result;
  }

  // For code that has just committed queued mail (MailService does it after the commit):
  // starts a run now rather than at the next tick. Only while the scheduled job runs, as
  // that is what delivers in the background: tests stop it and run the dispatcher
  // themselves, the CLI has none. Fire and forget.
  kick(): void {
    if (this.scheduled()) {
      this.wake();
    }
  }

  @Cron('*/15 * * * * *', { name: MAIL_DISPATCH_JOB })
  async dispatchJob(): Promise<void> {
    this.wake();
    await this.active;
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    await this.active;
  }

  private scheduled(): boolean {
    return (
      this.schedules?.doesExist('cron', MAIL_DISPATCH_JOB) === true &&
      this.schedules.getCronJob(MAIL_DISPATCH_JOB).isActive
    );
  }

  // Runs in this process never overlap; a wake during a run asks for one more run after it.
  private wake(): void {
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

  // The outcomes of several deliveries in one transaction: each row completed under the
  // claim, and the secrets taken out of the ones sent over SMTP.
  private async record(claim: Claim<MailMessage>, outcomes: Outcome[], now: Date): Promise<void> {
    const lost = await this.tx.run(async (em) => {
      const lost: number[] = [];
      // The delivered ones all take the same changes: one statement for them all.
      const delivered = outcomes.filter((o) => o.error === null).map((o) => o.message);
      const completed = await this.leases.completeAll(em, claim, delivered, this.delivered(now));
      lost.push(...delivered.filter((m) => !completed.includes(m.id)).map((m) => m.id));
      for (const { message, error } of outcomes) {
        if (
          error !== null &&
          !(await this.leases.complete(em, claim, message, this.failed(message, error, now)))
        ) {
          lost.push(message.id);
        }
      }
      // Delivered elsewhere: the queue keeps no working link. The outbox is where mail is
      // read, so there the link stays until it is used or expires.
      if (this.transport.name === 'smtp') {
        await forgetSecrets(em, { ids: completed });
      }
      return lost;
    });
    for (const id of lost) {
      this.logger.warn(`mail ${id}: claim lost before its outcome was recorded`);
    }
  }

  private delivered(now: Date): QueryDeepPartialEntity<MailMessage> {
    return {
      status: 'sent',
      sentAt: wholeSeconds(now),
      transport: this.transport.name,
      attempts: () => 'attempts + 1',
      lastError: null,
    };
  }

  private failed(
    message: MailMessage,
    error: Error,
    now: Date,
  ): QueryDeepPartialEntity<MailMessage> {
    const attempts = message.attempts + 1;
    const reason = error.message;
    this.logger.warn(`mail ${message.id}: attempt ${attempts} failed: ${reason}`);
    return {
      status: attempts >= MAX_ATTEMPTS ? 'failed' : 'queued',
      attempts,
      nextAttemptAt: wholeSeconds(nextAttemptAfter(attempts, now)),
      transport: this.transport.name,
      lastError: reason.slice(0, ERROR_MAX),
    };
  }
}

interface Outcome {
  message: MailMessage;
  // null: the server accepted the message.
  error: Error | null;
}

// Group commit: an outcome added while a write is under way waits for it and then goes,
// with every other outcome that arrived meanwhile, into the next write. add() resolves once
// the outcome is committed and rejects if its write failed.
class Marks {
  private pending: { outcome: Outcome; done: (err?: Error) => void }[] = [];
  private writing: Promise<void> | null = null;

  constructor(private readonly write: (outcomes: Outcome[]) => Promise<void>) {}

  add(outcome: Outcome): Promise<void> {
    const committed = new Promise<void>((resolve, reject) => {
      this.pending.push({ outcome, done: (err) => (err === undefined ? resolve() : reject(err)) });
    });
    if (!this.writing) {
      this.writing = this.drain();
    }
    return committed;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      try {
        await this.write(batch.map((b) => b.outcome));
        batch.forEach((b) => b.done());
      } catch (err) {
        const failure = err instanceof Error ? err : new Error(String(err));
        batch.forEach((b) => b.done(failure));
      }
    }
    this.writing = null;
  }
}
