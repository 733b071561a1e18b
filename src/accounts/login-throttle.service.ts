import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { sha256Hex } from '../common/hash.js';
import { sessionConfig } from '../config/session.config.js';
import { Transactions } from '../database/transactions.js';
import { LoginThrottle } from './login-throttle.entity.js';

const MAX_DELAY_SECONDS = 15 * 60;
// One address may fail for many people (a campus NAT) before it is slowed down.
const ADDRESS_FACTOR = 4;

// The owner's usual address has a counter of its own ('pair'): a stranger guessing from
// elsewhere slows down only themselves, until the much higher account-wide count is reached.
export function throttleKeys(email: string, ip: string | undefined): string[] {
  const account = email.trim().toLowerCase();
  const keys = [`account:${sha256Hex(account)}`, `pair:${sha256Hex(`${account}\n${ip ?? ''}`)}`];
  return ip ? [...keys, `address:${ip}`.slice(0, 100)] : keys;
}

// Wrong second-factor codes, per account: the password was right, so the address is not
// the point; LOGIN_MAX_FAILURES free, then the same doubling wait.
export function secondFactorThrottleKey(userId: number): string {
  return `totp:${userId}`;
}

// After the free attempts, each further one doubles the wait: 15 s, 30 s, 60 s ... 15 min.
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

  private freeFailures(key: string): number {
    if (key.startsWith('address:')) {
      return this.config.loginMaxFailures * ADDRESS_FACTOR;
    }
    return key.startsWith('account:')
      ? this.config.loginAccountMaxFailures
      : this.config.loginMaxFailures;
  }

  // The counters of these keys, created when missing and locked until the transaction ends,
  // in one order so that two logins never wait for each other crosswise.
  private async lockRows(em: EntityManager, keys: string[]): Promise<LoginThrottle[]> {
    const sorted = [...new Set(keys)].sort();
    const now = this.clock.now();
    await em
      .createQueryBuilder()
      .insert()
      .into(LoginThrottle)
      .values(sorted.map((key) => ({ key, failures: 0, lastFailureAt: now, blockedUntil: null })))
      // A no-op update rather than IGNORE: it takes the row's exclusive lock at once, where
      // IGNORE takes a shared one that two logins would then both try to upgrade (deadlock).
      .orUpdate(['key'], ['key'])
      .execute();
    const rows: LoginThrottle[] = [];
    for (const key of sorted) {
      rows.push(await em.findOneOrFail(LoginThrottle, { where: { key }, lock: this.tx.forUpdate }));
    }
    return rows;
  }

  // Counts an attempt before its password is checked, atomically: however many guesses
  // arrive at once, only as many as are free get checked. Answers the seconds to wait when
  // the attempt may not go ahead (and is not counted), 0 when it was counted and may.
  async attempt(keys: string[]): Promise<number> {
    return this.tx.run(async (em) => {
      const rows = await this.lockRows(em, keys);
      const now = this.clock.now().getTime();
      const wait = Math.max(0, ...rows.map((r) => (r.blockedUntil?.getTime() ?? 0) - now));
      if (wait > 0) {
        return Math.ceil(wait / 1000);
      }
      for (const row of rows) {
        const stale = now - row.lastFailureAt.getTime() > this.config.loginFailureWindowMs;
        row.failures = stale ? 1 : row.failures + 1;
        row.lastFailureAt = new Date(now);
        const delay = delayAfter(row.failures, this.freeFailures(row.key));
        row.blockedUntil = delay ? new Date(now + delay * 1000) : null;
        await em.save(row);
      }
      return 0;
    });
  }

  // The right password: this account from this address starts afresh, and the attempt no
  // longer counts against the account or the address.
  async succeeded(keys: string[]): Promise<void> {
    await this.tx.run(async (em) => {
      for (const row of await this.lockRows(em, keys)) {
        if (row.key.startsWith('pair:') || row.key.startsWith('totp:')) {
          await em.delete(LoginThrottle, { key: row.key });
          continue;
        }
        row.failures = Math.max(0, row.failures - 1);
        if (delayAfter(row.failures, this.freeFailures(row.key)) === 0) {
          row.blockedUntil = null;
        }
        await em.save(row);
      }
    });
  }
}
