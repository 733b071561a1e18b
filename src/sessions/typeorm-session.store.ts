import session from 'express-session';
import { LessThan } from 'typeorm';
import { Clock } from '../common/clock.js';
import { sha256Hex } from '../common/hash.js';
import { Transactions } from '../database/transactions.js';
import { SessionRecord } from './session.entity.js';

type Callback<T = void> = (err?: unknown, value?: T) => void;

// express-session store on the application's own database, so every instance sees every
// session. Expiry (the idle timeout) is decided here by the injected clock, not by the cookie.
export class TypeOrmSessionStore extends session.Store {
  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly idleTimeoutMs: number,
  ) {
    super();
  }

  private expiry(): Date {
    return new Date(this.clock.now().getTime() + this.idleTimeoutMs);
  }

  override get(sid: string, cb: Callback<session.SessionData | null>): void {
    this.tx.manager
      .findOneBy(SessionRecord, { idHash: sha256Hex(sid) })
      .then(async (row) => {
        if (!row) {
          return null;
        }
        if (row.expiresAt.getTime() <= this.clock.now().getTime()) {
          await this.tx.run((em) => em.delete(SessionRecord, { idHash: row.idHash }));
          return null;
        }
        return JSON.parse(row.data) as session.SessionData;
      })
      .then(
        (data) => cb(undefined, data),
        (err: unknown) => cb(err),
      );
  }

  // Saving only ever updates a session that still exists: a request that was running when
  // its session was destroyed (logout, timeout) cannot bring it back by saving afterwards.
  // New sessions are written by create(), at login, under a fresh id.
  override set(sid: string, data: session.SessionData, cb?: Callback): void {
    this.tx
      .run((em) =>
        em.update(
          SessionRecord,
          { idHash: sha256Hex(sid) },
          { data: JSON.stringify(data), userId: data.userId ?? null, expiresAt: this.expiry() },
        ),
      )
      .then(
        () => cb?.(),
        (err: unknown) => cb?.(err),
      );
  }

  async create(sid: string, data: session.SessionData): Promise<void> {
    await this.tx.run((em) =>
      em.insert(SessionRecord, {
        idHash: sha256Hex(sid),
        data: JSON.stringify(data),
        userId: data.userId ?? null,
        expiresAt: this.expiry(),
      }),
    );
  }

  // Every page answer touches its session (rolling). The new expiry is written only when it
  // moves the stored one on by more than TOUCH_STEP (a thirtieth of the idle timeout, at
  // most a minute), in one statement: a session may end that much sooner than the idle
  // timeout after its last request, and a burst of requests costs one durable write, not one each.
  override touch(sid: string, _data: session.SessionData, cb?: Callback): void {
    const expiresAt = this.expiry();
    const step = Math.min(60_000, this.idleTimeoutMs / 30);
    this.tx.manager
      .update(
        SessionRecord,
        { idHash: sha256Hex(sid), expiresAt: LessThan(new Date(expiresAt.getTime() - step)) },
        { expiresAt },
      )
      .then(
        () => cb?.(),
        (err: unknown) => cb?.(err),
      );
  }

  override destroy(sid: string, cb?: Callback): void {
    this.tx
      .run((em) => em.delete(SessionRecord, { idHash: sha256Hex(sid) }))
      .then(
        () => cb?.(),
        (err: unknown) => cb?.(err),
      );
  }

  async prune(): Promise<number> {
    const result = await this.tx.run((em) =>
      em.delete(SessionRecord, { expiresAt: LessThan(this.clock.now()) }),
    );
    return result.affected ?? 0;
  }
}
