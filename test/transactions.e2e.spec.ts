import { jest } from '@jest/globals';
import { GroupCommit } from '../src/database/group-commit.js';
import { Transactions } from '../src/database/transactions.js';
import { Nren } from '../src/nrens/nren.entity.js';
import { DIALECT } from './support/databases.js';
import { Directory } from './support/directory.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// Work that overlaps: a transaction that has written and is still open, and reads made
// meanwhile by other requests. On the embedded database every query shares one connection,
// so those reads must wait their turn rather than see what may yet be rolled back.
describe(`overlapping work (${DIALECT})`, () => {
  let t: TestApp;
  let dir: Directory;
  let tx: Transactions;

  beforeAll(async () => {
    t = await createTestApp();
    dir = await new Directory(t).init();
    tx = t.get(Transactions);
  });
  afterAll(() => t.close());

  function nren(name: string): Partial<Nren> {
    return {
      name,
      country: 'SE',
      contactEmail: 'noc@example.org',
      defaultLanguage: 'en',
      caProductIds: {},
    };
  }

  // A transaction that writes, then holds still until told to roll back or commit.
  function heldOpen(name: string, outcome: 'rollback' | 'commit') {
    let release!: () => void;
    let written!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const wrote = new Promise<void>((resolve) => (written = resolve));
    const done = tx.run(async (em) => {
      await em.save(Nren, nren(name));
      written();
      await gate;
      if (outcome === 'rollback') {
        throw new Error('rolled back');
      }
    });
    return { wrote, release, done };
  }

  it('never shows a row that an open transaction then rolls back', async () => {
    const held = heldOpen('Uncommitted', 'rollback');
    await held.wrote;
    const reads = Promise.all([
      tx.manager.findOneBy(Nren, { name: 'Uncommitted' }),
      tx.manager.createQueryBuilder(Nren, 'n').where("n.name = 'Uncommitted'").getCount(),
      tx.manager.getRepository(Nren).countBy({ name: 'Uncommitted' }),
      dir.api('get', '/nrens?q=Uncommitted'),
    ]);
    // Give the reads every chance to run before the transaction ends.
    await new Promise((resolve) => setTimeout(resolve, 200));
    held.release();
    await expect(held.done).rejects.toThrow('rolled back');
    const [found, counted, viaRepository, page] = await reads;
    expect(found).toBeNull();
    expect(counted).toBe(0);
    expect(viaRepository).toBe(0);
    expect(page.status).toBe(200);
    expect(page.body.items).toEqual([]);
  });

  it('lets a read made during a transaction see it only once committed, whole', async () => {
    const held = heldOpen('Committed', 'commit');
    await held.wrote;
    const events: string[] = [];
    const read = tx.manager.findOneBy(Nren, { name: 'Committed' }).then((row) => {
      events.push('read');
      return row;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    events.push('commit');
    held.release();
    await held.done;
    const row = await read;
    if (DIALECT === 'sqlite') {
      // It waited for its turn, and then saw the committed row.
      expect(events).toEqual(['commit', 'read']);
      expect(row?.name).toBe('Committed');
    } else {
      // Its own connection: MySQL never shows another transaction's uncommitted row.
      expect(events).toEqual(['read', 'commit']);
      expect(row).toBeNull();
    }
  });

  it('lets a transaction read through the bare manager without waiting for itself', async () => {
    const found = await tx.run(async (em) => {
      await em.save(Nren, nren('Inside'));
      return tx.manager.countBy(Nren, { name: 'Inside' });
    });
    // SQLite: one connection, so it sees its own row; MySQL: another connection, so not yet.
    expect(found).toBe(DIALECT === 'sqlite' ? 1 : 0);
  });

  it('runs after-commit hooks once committed, outside the transaction, and never after a rollback', async () => {
    const seen: (number | string)[] = [];
    await tx.run(async (em) => {
      await em.save(Nren, nren('Hooked'));
      tx.afterCommit(em, () => {
        seen.push('hook');
        // Outside the transaction: a read takes its turn and sees the committed row.
        void tx.manager.countBy(Nren, { name: 'Hooked' }).then((n) => seen.push(n));
      });
      seen.push('work');
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual(['work', 'hook', 1]);

    const never: string[] = [];
    await expect(
      tx.run(async (em) => {
        await em.save(Nren, nren('Never'));
        tx.afterCommit(em, () => never.push('hook'));
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(never).toEqual([]);
  });

  it('refuses to start a transaction inside another on the embedded database, rather than hang', async () => {
    const nested = tx.run(() => tx.run(() => Promise.resolve(1)));
    if (DIALECT === 'sqlite') {
      await expect(nested).rejects.toThrow('inside a transaction');
    } else {
      await expect(nested).resolves.toBe(1);
    }
  });

  describe('group commit', () => {
    it('writes arriving during a commit share the next one, and each caller gets its own value', async () => {
      const commits = new GroupCommit(tx);
      const transactions = jest.spyOn(tx, 'runRetrying');
      try {
        const names = Array.from({ length: 8 }, (_, i) => `Grouped ${i}`);
        const ids = await Promise.all(
          names.map((name) => commits.write(async (em) => (await em.save(Nren, nren(name))).id)),
        );
        // The first write commits alone; the seven that arrived meanwhile share one commit.
        expect(transactions).toHaveBeenCalledTimes(2);
        const rows = await tx.manager.findBy(
          Nren,
          names.map((name) => ({ name })),
        );
        expect(new Map(rows.map((r) => [r.name, r.id]))).toEqual(
          new Map(names.map((name, i) => [name, ids[i]])),
        );
      } finally {
        transactions.mockRestore();
      }
    });

    it('a write that fails, fails alone: the others of its group are committed', async () => {
      const commits = new GroupCommit(tx);
      const write = (name: string, fail = false) =>
        commits.write(async (em) => {
          await em.save(Nren, nren(name));
          if (fail) {
            throw new Error(`${name} refused`);
          }
          return name;
        });
      const first = write('Alone');
      const group = [write('Kept 1'), write('Broken', true), write('Kept 2')];
      const settled = await Promise.allSettled([first, ...group]);
      expect(settled.map((s) => s.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
      ]);
      expect((settled[2] as PromiseRejectedResult).reason).toEqual(new Error('Broken refused'));
      const names = (
        await tx.manager.findBy(
          Nren,
          ['Alone', 'Kept 1', 'Broken', 'Kept 2'].map((name) => ({ name })),
        )
      ).map((r) => r.name);
      expect(names.sort()).toEqual(['Alone', 'Kept 1', 'Kept 2']);
    });
  });
});
