import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  In,
  type EntityManager,
  type EntityMetadata,
  type EntityTarget,
  type FindOptionsWhere,
  type ObjectLiteral,
} from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { Clock } from '../common/clock.js';
import { Transactions } from './transactions.js';
import { wholeSeconds } from './whole-seconds.js';

// A table that scheduled work claims rows of: a numeric primary key `id` and two columns
// (any names) `claimedBy` (varchar(64), nullable) and `claimedUntil` (datetime, nullable).
export interface Leasable extends ObjectLiteral {
  id: number;
  claimedBy: string | null;
  claimedUntil: Date | null;
}

export interface ClaimOptions<T> {
  // Which rows are due, as SQL over the table's column names with :named parameters;
  // :now is always there. Example: "status = 'queued' AND next_attempt_at <= :now".
  due: string;
  params?: Record<string, unknown>;
  // At most this many rows, oldest first by this property (default id).
  limit: number;
  orderBy?: keyof T & string;
  // How long the rows are ours. Long enough for the work on all of them; after that another
  // instance may take them (this one crashed, or took too long).
  leaseMs: number;
  // The job's "now" (its run(now)); the injected Clock's when left out.
  now?: Date;
}

// What one claim took. The token is unique per claim, so two runs in one process never
// mistake each other's rows for their own.
export class Claim<T extends Leasable> {
  constructor(
    readonly entity: EntityTarget<T>,
    readonly token: string,
    readonly until: Date,
    readonly rows: T[],
  ) {}
}

// Claims due rows of any table for one instance of a job, so any number of instances may
// run the same job at once: mail delivery, collecting certificates from the CA, expiry
// reminders. The claim is one atomic UPDATE, so two instances never both take a row; a
// claim is a lease, so the rows of a crashed instance come free again when it runs out.
// Completing or releasing a row is guarded by the claim's token: once a lease ran out and
// another instance took the row, the first one can neither complete nor release it.
//
// A lease alone makes work at-most-once per lease. What must happen exactly once also needs
// insertOnce() (./exactly-once.ts): see README, "Scheduled work".
@Injectable()
export class Leases {
  // Per app instance, random: nothing to configure, nothing two instances can share.
  readonly claimant = [hostname().slice(0, 24), process.pid, randomBytes(4).toString('hex')].join(
    ':',
  );
  private claims = 0;

  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
  ) {}

  async claim<T extends Leasable>(
    entity: EntityTarget<T>,
    options: ClaimOptions<T>,
  ): Promise<Claim<T>> {
    const now = options.now ?? this.clock.now();
    // Whole seconds: what a MySQL DATETIME keeps, so the lease reads back as written.
    const until = wholeSeconds(new Date(now.getTime() + options.leaseMs));
    const token = `${this.claimant}#${++this.claims}`;
    // Two instances' updates can meet in InnoDB's locks; the loser is rolled back and tries again.
    const rows = await this.tx.runRetrying(async (em) => {
      await this.mark(em, entity, options, { token, until, now });
      return em.find(entity, {
        where: { claimedBy: token } as FindOptionsWhere<T>,
        order: { [options.orderBy ?? 'id']: 'ASC', id: 'ASC' } as never,
      });
    });
    return new Claim(entity, token, until, rows);
  }

  // Records the outcome of one claimed row in the caller's transaction (the same that holds
  // the rest of the work's writes) and ends the claim on it. False if the claim was lost:
  // the lease ran out and another instance took the row; nothing was changed then.
  async complete<T extends Leasable>(
    em: EntityManager,
    claim: Claim<T>,
    row: T,
    changes: QueryDeepPartialEntity<T>,
  ): Promise<boolean> {
    const result = await em.update(
      claim.entity,
      { id: row.id, claimedBy: claim.token },
      { ...changes, claimedBy: null, claimedUntil: null },
    );
    return (result.affected ?? 0) > 0;
  }

  // complete() for several claimed rows that take the same changes, in two statements
  // whatever their number: the rows still held are locked and read, then changed together.
  // Answers the ids of the rows completed; the others' claim was lost, and they are unchanged.
  async completeAll<T extends Leasable>(
    em: EntityManager,
    claim: Claim<T>,
    rows: T[],
    changes: QueryDeepPartialEntity<T>,
  ): Promise<number[]> {
    if (rows.length === 0) {
      return [];
    }
    const mine = { id: In(rows.map((r) => r.id)), claimedBy: claim.token } as FindOptionsWhere<T>;
    const held = (
      await em.find(claim.entity, {
        select: { id: true } as never,
        where: mine,
        lock: this.tx.forUpdate,
      })
    ).map((r) => r.id);
    if (held.length > 0) {
      await em.update(
        claim.entity,
        { id: In(held), claimedBy: claim.token },
        {
          ...changes,
          claimedBy: null,
          claimedUntil: null,
        },
      );
    }
    return held;
  }

  // Hands rows back unchanged, so the next run need not wait for the lease to run out.
  // Returns how many were still this claim's to hand back.
  async release<T extends Leasable>(claim: Claim<T>, rows: T[] = claim.rows): Promise<number> {
    if (rows.length === 0) {
      return 0;
    }
    const result = await this.tx.run((em) =>
      em.update(claim.entity, { id: In(rows.map((r) => r.id)), claimedBy: claim.token }, {
        claimedBy: null,
        claimedUntil: null,
      } as unknown as QueryDeepPartialEntity<T>),
    );
    return result.affected ?? 0;
  }

  private async mark<T extends Leasable>(
    em: EntityManager,
    entity: EntityTarget<T>,
    options: ClaimOptions<T>,
    values: { token: string; until: Date; now: Date },
  ): Promise<void> {
    const meta = em.connection.getMetadata(entity);
    const table = quote(em, meta.tableName);
    const id = column(em, meta, 'id');
    const by = column(em, meta, 'claimedBy');
    const until = column(em, meta, 'claimedUntil');
    const order = column(em, meta, options.orderBy ?? 'id');
    const limit = Math.max(1, Math.floor(options.limit));
    const due = `(${options.due}) AND (${until} IS NULL OR ${until} < :now)`;
    // One statement, so two instances cannot both take a row. MySQL allows ORDER BY and
    // LIMIT in a single-table UPDATE but no LIMIT in an IN subquery, nor a subquery on the
    // table being updated; SQLite (without its optional UPDATE … LIMIT) takes the subquery.
    const sql =
      this.tx.dialect === 'mysql'
        ? `UPDATE ${table} SET ${by} = :token, ${until} = :until
           WHERE ${due} ORDER BY ${order}, ${id} LIMIT ${limit}`
        : `UPDATE ${table} SET ${by} = :token, ${until} = :until
           WHERE ${id} IN (SELECT ${id} FROM ${table} WHERE ${due} ORDER BY ${order}, ${id} LIMIT ${limit})`;
    // The driver turns the Dates into what each dialect stores (SQLite: UTC text).
    const [query, parameters] = em.connection.driver.escapeQueryWithParameters(sql, {
      ...options.params,
      ...values,
    });
    await em.query(query, parameters);
  }
}

function quote(em: EntityManager, name: string): string {
  return em.connection.driver.escape(name);
}

function column(em: EntityManager, meta: EntityMetadata, property: string): string {
  const found = meta.findColumnWithPropertyName(property);
  if (!found) {
    throw new Error(`${meta.name} has no column ${property}: it cannot be leased`);
  }
  return quote(em, found.databaseName);
}
