import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { approvalsConfig, type ApprovalsConfig } from '../config/approvals.config.js';
import { Clock } from '../common/clock.js';
import { DomainError } from '../common/errors.js';
import { Transactions } from '../database/transactions.js';
import { CertificateRequest } from '../requests/certificate-request.entity.js';
import { INITIAL_STATUS, RequestLifecycle, systemActing } from '../requests/request-lifecycle.js';

const BATCH = 200;

// Undecided requests expire after REQUEST_EXPIRY_DAYS. Every instance may run it: each expiry
// is a versioned lifecycle step, so a request another instance (or a person) got to first is
// simply skipped.
@Injectable()
export class RequestExpiryJob {
  private readonly logger = new Logger('RequestExpiryJob');

  constructor(
    private readonly tx: Transactions,
    private readonly lifecycle: RequestLifecycle,
    private readonly clock: Clock,
    @Inject(approvalsConfig.KEY) private readonly config: ApprovalsConfig,
  ) {}

  @Cron(CronExpression.EVERY_5_MINUTES, { name: 'request-expiry' })
  async job(): Promise<void> {
    try {
      const expired = await this.run(this.clock.now());
      if (expired.length) {
        this.logger.log(`expired ${expired.length} undecided request(s)`);
      }
    } catch (err) {
      this.logger.error(`request expiry failed: ${(err as Error).message}`);
    }
  }

  // Expires what was submitted before now minus the period; answers the ids it expired.
  async run(now: Date): Promise<number[]> {
    const cutoff = new Date(now.getTime() - this.config.expiryDays * 86_400_000);
    const expired: number[] = [];
    const seen: number[] = [];
    for (;;) {
      const due = await this.tx.manager
        .createQueryBuilder(CertificateRequest, 'r')
        .select(['r.id', 'r.version'])
        .where('r.status = :s AND r.status_changed_at <= :cutoff', { s: INITIAL_STATUS, cutoff })
        .andWhere(seen.length ? 'r.id NOT IN (:...seen)' : '1 = 1', { seen })
        .orderBy('r.id')
        .take(BATCH)
        .getMany();
      for (const r of due) {
        seen.push(r.id);
        try {
          await this.lifecycle.transition(systemActing('request-expiry'), r.id, 'expire', {
            expectedVersion: r.version,
            detail: { days: this.config.expiryDays },
          });
          expired.push(r.id);
        } catch (err) {
          // Decided, or moved on, since it was read: nothing to expire.
          if (!(err instanceof DomainError && err.kind === 'conflict')) {
            throw err;
          }
        }
      }
      if (due.length < BATCH) {
        return expired;
      }
    }
  }
}
