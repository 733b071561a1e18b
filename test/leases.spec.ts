import 'reflect-metadata';
import { join } from 'node:path';
import { Column, DataSource, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Leases } from '../src/database/leases.js';
import { insertOnce } from '../src/database/exactly-once.js';
import { Transactions } from '../src/database/transactions.js';
import { createScratchDatabase, DIALECT, type ScratchDatabase } from './support/databases.js';
import { FakeClock, MINUTE } from './support/fake-clock.js';

// A job table of its own, with claim columns named unlike the mail queue's: the helper works
// on any table that has the two columns.
@Entity('lease_test_jobs')
class Job {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 16 })
  state: string;

  @Column({ name: 'due_at', type: 'datetime' })
  dueAt: Date;

  @Column({ name: 'worker', type: 'varchar', length: 64, nullable: true })
  claimedBy: string | null;

  @Column({ name: 'worker_until', type: 'datetime', nullable: true })
  claimedUntil: Date | null;
}

// The record that makes a unit of work happen once: one row per (job, step).
@Entity('lease_test_outcomes')
@Unique('uq_lease_test_outcome', ['jobId', 'step'])
class Outcome {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'job_id', type: 'int' })
  jobId: number;

  @Column({ type: 'varchar', length: 16 })
  step: string;

  @Column({ type: 'varchar', length: 64 })
  by: string;
}

interface Instance {
  ds: DataSource;
  tx: Transactions;
  leases: Leases;
}

async function open(db: ScratchDatabase, clock: FakeClock, create: boolean): Promise<Instance> {
  const ds = new DataSource(
    DIALECT === 'mysql'
      ? {
          type: 'mysql',
          url: db.env.DATABASE_URL,
          timezone: 'Z',
          entities: [Job, Outcome],
          synchronize: create,
        }
      : {
          type: 'better-sqlite3',
          database: join(db.dataDir, 'leases.sqlite'),
          entities: [Job, Outcome],
          synchronize: create,
        },
  );
  await ds.initialize();
  const tx = new Transactions(ds);
  return { ds, tx, leases: new Leases(tx, clock) };
}

const DUE = "state = 'waiting' AND due_at <= :now";
const T0 = new Date('2026-06-01T09:00:00Z');

describe(`leases and exactly-once work (${DIALECT})`, () => {
  let db: ScratchDatabase;
  let clock: FakeClock;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    db = await createScratchDatabase({ empty: true });
    clock = new FakeClock(T0);
    a = await open(db, clock, true);
    b = await open(db, clock, false);
  });
  afterAll(async () => {
    await b.ds.destroy();
    await a.ds.destroy();
    await db.drop();
  });
  beforeEach(async () => {
    clock.set(T0);
    await a.tx.run(async (em) => {
      await em.createQueryBuilder().delete().from(Outcome).execute();
      await em.createQueryBuilder().delete().from(Job).execute();
    });
  });

  async function addJobs(count: number, dueAt = T0, state = 'waiting'): Promise<number[]> {
    return a.tx.run(async (em) => {
      const ids: number[] = [];
      for (let i = 0; i < count; i++) {
        ids.push((await em.save(Job, { state, dueAt, claimedBy: null, claimedUntil: null })).id);
      }
      return ids;
    });
  }

  const reload = (id: number) => a.tx.manager.findOneByOrFail(Job, { id });

  it('claims due, unclaimed rows only, oldest first, at most the limit, with a lease', async () => {
    const due = await addJobs(5);
    await addJobs(1, new Date(T0.getTime() + MINUTE));
    await addJobs(1, T0, 'done');

    const claim = await a.leases.claim(Job, { due: DUE, limit: 3, leaseMs: 10 * MINUTE });
    expect(claim.rows.map((r) => r.id)).toEqual(due.slice(0, 3));
    expect(claim.until).toEqual(new Date(T0.getTime() + 10 * MINUTE));
    expect(claim.token.startsWith(`${a.leases.claimant}#`)).toBe(true);
    const row = await reload(due[0]);
    expect(row.claimedBy).toBe(claim.token);
    expect(row.claimedUntil).toEqual(claim.until);

    const rest = await b.leases.claim(Job, { due: DUE, limit: 10, leaseMs: 10 * MINUTE });
    expect(rest.rows.map((r) => r.id)).toEqual(due.slice(3));
    expect(b.leases.claimant).not.toBe(a.leases.claimant);
  });

  it('gives a row to another claimant only once the lease ran out; the old claim is then void', async () => {
    const [id] = await addJobs(1);
    const first = await a.leases.claim(Job, { due: DUE, limit: 5, leaseMs: 5 * MINUTE });
    expect(first.rows).toHaveLength(1);

    clock.advance(5 * MINUTE);
    expect((await b.leases.claim(Job, { due: DUE, limit: 5, leaseMs: MINUTE })).rows).toEqual([]);

    clock.advance(1000);
    const second = await b.leases.claim(Job, { due: DUE, limit: 5, leaseMs: MINUTE });
    expect(second.rows.map((r) => r.id)).toEqual([id]);

    // The first holder comes back late: it can neither complete nor release the row.
    const [row] = first.rows;
    expect(await a.tx.run((em) => a.leases.complete(em, first, row, { state: 'done' }))).toBe(
      false,
    );
    expect(await a.leases.release(first)).toBe(0);
    expect(await reload(id)).toMatchObject({ state: 'waiting', claimedBy: second.token });

    expect(await b.tx.run((em) => b.leases.complete(em, second, row, { state: 'done' }))).toBe(
      true,
    );
    expect(await reload(id)).toMatchObject({
      state: 'done',
      claimedBy: null,
      claimedUntil: null,
    });
  });

  it('completes several rows in one go, only those whose claim still holds', async () => {
    const ids = await addJobs(3);
    const first = await a.leases.claim(Job, { due: DUE, limit: 3, leaseMs: MINUTE });
    // The first holder releases one and loses another to a later claim once its lease ran out.
    await a.leases.release(first, [first.rows[2]]);
    clock.advance(MINUTE + 1000);
    const second = await b.leases.claim(Job, { due: DUE, limit: 1, leaseMs: MINUTE });
    expect(second.rows.map((r) => r.id)).toEqual([ids[0]]);

    const done = await a.tx.run((em) =>
      a.leases.completeAll(em, first, first.rows, { state: 'done' }),
    );
    expect(done).toEqual([ids[1]]);
    expect(await reload(ids[0])).toMatchObject({ state: 'waiting', claimedBy: second.token });
    expect(await reload(ids[1])).toMatchObject({ state: 'done', claimedBy: null });
    expect(await reload(ids[2])).toMatchObject({ state: 'waiting', claimedBy: null });
    expect(await a.tx.run((em) => a.leases.completeAll(em, first, [], {}))).toEqual([]);
  });

  it('keeps two claims of one instance apart', async () => {
    await addJobs(4);
    const [x, y] = await Promise.all([
      a.leases.claim(Job, { due: DUE, limit: 2, leaseMs: MINUTE }),
      a.leases.claim(Job, { due: DUE, limit: 2, leaseMs: MINUTE }),
    ]);
    expect(x.token).not.toBe(y.token);
    expect(x.rows).toHaveLength(2);
    expect(y.rows).toHaveLength(2);
    expect(x.rows.some((r) => y.rows.some((s) => s.id === r.id))).toBe(false);
  });

  it('hands released rows to the next claim at once, and completes in the caller’s transaction', async () => {
    await addJobs(2);
    const claim = await a.leases.claim(Job, { due: DUE, limit: 2, leaseMs: 10 * MINUTE });
    expect(await a.leases.release(claim, claim.rows.slice(1))).toBe(1);
    const again = await b.leases.claim(Job, { due: DUE, limit: 2, leaseMs: 10 * MINUTE });
    expect(again.rows.map((r) => r.id)).toEqual([claim.rows[1].id]);

    // The work fails after completing: nothing of it stays, the claim included.
    const [row] = claim.rows;
    await expect(
      a.tx.run(async (em) => {
        await a.leases.complete(em, claim, row, { state: 'done' });
        throw new Error('the work failed');
      }),
    ).rejects.toThrow('the work failed');
    expect(await reload(row.id)).toMatchObject({ state: 'waiting', claimedBy: claim.token });
  });

  it('splits the due rows between two instances claiming at the same moment', async () => {
    const ids = await addJobs(60);
    const taken: number[][] = [[], []];
    for (let round = 0; round < 20; round++) {
      const claims = await Promise.all(
        [a, b, a, b].map((i) => i.leases.claim(Job, { due: DUE, limit: 4, leaseMs: MINUTE })),
      );
      if (claims.every((c) => c.rows.length === 0)) {
        break;
      }
      for (const [n, c] of claims.entries()) {
        taken[n % 2].push(...c.rows.map((r) => r.id));
        const instance = n % 2 ? b : a;
        await instance.tx.run(async (em) => {
          for (const row of c.rows) {
            expect(await instance.leases.complete(em, c, row, { state: 'done' })).toBe(true);
          }
        });
      }
    }
    const all = [...taken[0], ...taken[1]].sort((x, y) => x - y);
    expect(all).toEqual(ids);
    expect(taken[0].length).toBeGreaterThan(0);
    expect(taken[1].length).toBeGreaterThan(0);
  });

  it('refuses a table without claim columns, naming what is missing', async () => {
    await expect(
      a.leases.claim(Outcome as never, { due: '1 = 1', limit: 1, leaseMs: MINUTE }),
    ).rejects.toThrow('Outcome has no column claimedBy');
  });

  describe('insertOnce', () => {
    it('lets the first insert of a key win and tells every later one', async () => {
      const [job] = await addJobs(1);
      expect(
        await a.tx.run((em) => insertOnce(em, Outcome, { jobId: job, step: 'remind-30', by: 'a' })),
      ).toBe(true);
      expect(
        await b.tx.run((em) => insertOnce(em, Outcome, { jobId: job, step: 'remind-30', by: 'b' })),
      ).toBe(false);
      expect(
        await b.tx.run((em) => insertOnce(em, Outcome, { jobId: job, step: 'remind-7', by: 'b' })),
      ).toBe(true);
      const rows = await a.tx.manager.find(Outcome, { order: { step: 'ASC' } });
      expect(rows.map((r) => [r.step, r.by])).toEqual([
        ['remind-30', 'a'],
        ['remind-7', 'b'],
      ]);
    });

    it('leaves the transaction usable after a lost insert, and loses nothing else', async () => {
      const [job, other] = await addJobs(2);
      await a.tx.run((em) => insertOnce(em, Outcome, { jobId: job, step: 's', by: 'a' }));
      await b.tx.run(async (em) => {
        expect(await insertOnce(em, Outcome, { jobId: job, step: 's', by: 'b' })).toBe(false);
        expect(await insertOnce(em, Outcome, { jobId: other, step: 's', by: 'b' })).toBe(true);
      });
      expect(await a.tx.manager.countBy(Outcome, { by: 'b' })).toBe(1);
    });

    it('throws what is not a duplicate key', async () => {
      await expect(
        a.tx.run((em) => insertOnce(em, Outcome, { jobId: 1, step: 's', by: null as never })),
      ).rejects.toThrow();
    });

    it('does a unit of work once when two instances race for it, each in its transaction', async () => {
      const ids = await addJobs(10);
      // Each instance claims everything it can (leases so short they overlap) and records
      // the reminder for each job in the transaction that does the work.
      const work = async (i: Instance, name: string) => {
        let done = 0;
        const claim = await i.leases.claim(Job, { due: DUE, limit: 10, leaseMs: 1000 });
        for (const row of claim.rows) {
          await i.tx.run(async (em) => {
            if (await insertOnce(em, Outcome, { jobId: row.id, step: 'remind', by: name })) {
              done += 1;
            }
            await i.leases.complete(em, claim, row, {});
          });
        }
        return done;
      };
      // Completing leaves the jobs due, so the second round claims everything again.
      const first = await Promise.all([work(a, 'a'), work(b, 'b')]);
      clock.advance(MINUTE);
      const second = await Promise.all([work(a, 'a'), work(b, 'b')]);
      expect([...first, ...second].reduce((x, y) => x + y, 0)).toBe(10);
      const outcomes = await a.tx.manager.find(Outcome);
      expect(outcomes.map((o) => o.jobId).sort((x, y) => x - y)).toEqual(ids);
    });
  });
});
