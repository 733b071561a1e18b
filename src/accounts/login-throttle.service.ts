import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock.js';
import { sha256Hex } from '../common/hash.js';
import { sessionConfig } from '../config/session.config.js';
import { Transactions } from '../database/transactions.js';
import { LoginThrottle } from './login-throttle.entity.js';

const MAX_DELAY_SECONDS = 15 * 60;
// One address may fail for many people (a campus NAT) before it is slowed down.
const ADDRESS_FACTOR = 4;

export function throttleKeys(email: string, ip: string | undefined): string[] {
  const account = sha256Hex(email.trim().toLowerCase());
  return ip ? [`account:${account}`, `address:${ip}`.slice(0, 100)] : [`account:${account}`];
}

// After the free failures, each further one doubles the wait: 15 s, 30 s, 60 s ... 15 min.
export function delayAfter(failures: number, freeFailures: number): number {
  if (failures < freeFailures) {
    return 0;
  }
  return Math.min(15 * 2 ** (failures - freeFailures), MAX_DELAY_SECONDS);
}

@Injectable()
export class LoginThrottleService {
  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
  ) {}

  // Seconds to wait before another attempt may be checked, 0 when it may go ahead now.
  async waitSeconds(keys: string[]): Promise<number> {
    const now = this.clock.now().getTime();
    const rows = await this.tx.manager.findBy(
      LoginThrottle,
      keys.map((key) => ({ key })),
    );
    const waits = rows.map((r) => (r.blockedUntil ? r.blockedUntil.getTime() - now : 0));
    return Math.max(0, Math.ceil(Math.max(0, ...waits) / 1000));
  }

  async recordFailure(keys: string[]): Promise<void> {
    const now = this.clock.now();
    await this.tx.run(async (em) => {
      for (const key of keys) {
        const free = key.startsWith('address:')
          ? this.config.loginMaxFailures * ADDRESS_FACTOR
          : this.config.loginMaxFailures;
        const row = await em.findOne(LoginThrottle, {
          where: { key },
          lock: this.tx.forUpdate,
        });
        const stale =
          !row || now.getTime() - row.lastFailureAt.getTime() > this.config.loginFailureWindowMs;
        const failures = stale ? 1 : row.failures + 1;
        const delay = delayAfter(failures, free);
        await em.save(LoginThrottle, {
          key,
          failures,
          lastFailureAt: now,
          blockedUntil: delay ? new Date(now.getTime() + delay * 1000) : null,
        });
      }
    });
  }

  async reset(key: string): Promise<void> {
    await this.tx.run((em) => em.delete(LoginThrottle, { key }));
  }
}
