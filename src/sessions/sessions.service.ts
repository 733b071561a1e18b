import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Cron, CronExpression } from '@nestjs/schedule';
import { LessThan } from 'typeorm';
import { LoginThrottle } from '../accounts/login-throttle.entity.js';
import { Clock } from '../common/clock.js';
import { sessionConfig } from '../config/session.config.js';
import { Transactions } from '../database/transactions.js';
import { TypeOrmSessionStore } from './typeorm-session.store.js';

@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);
  readonly store: TypeOrmSessionStore;

  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
  ) {
    this.store = new TypeOrmSessionStore(tx, clock, config.idleTimeoutMs);
  }

  // Deleting what has expired is idempotent: every instance may run it, no claim needed.
  async prune(now: Date): Promise<{ sessions: number; throttles: number }> {
    const sessions = await this.store.prune();
    const cutoff = new Date(now.getTime() - this.config.loginFailureWindowMs);
    const throttles = await this.tx.run((em) =>
      em.delete(LoginThrottle, { lastFailureAt: LessThan(cutoff) }),
    );
    return { sessions, throttles: throttles.affected ?? 0 };
  }

  @Cron(CronExpression.EVERY_10_MINUTES, { name: 'prune-sessions' })
  async pruneJob(): Promise<void> {
    const result = await this.prune(this.clock.now());
    this.logger.debug(`pruned ${result.sessions} sessions, ${result.throttles} login counters`);
  }
}
