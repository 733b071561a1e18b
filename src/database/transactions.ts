import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager, type QueryRunner } from 'typeorm';
import { isDeadlock } from './database-errors.js';
import { translateDuplicateKey } from './unique-keys.js';

// TypeORM's SQLite drivers share one connection: two overlapping transactions would nest
// into savepoints of each other, and a read made while a transaction is open would see its
// uncommitted rows. Two connections to one file in one process (two app instances in a test)
// would deadlock: better-sqlite3 waits for a lock synchronously, freezing the event loop the
// holder needs to commit. So on SQLite everything on a file takes its turn, process-wide:
// each transaction, each call on the bare manager, each query made outside a transaction.
// MySQL runs them concurrently on pooled connections.
interface Turn {
  file: string;
  open: boolean;
}
const turnScope = new AsyncLocalStorage<Turn>();
const turnQueues = new Map<string, Promise<unknown>>();

function inTurn(file: string): boolean {
  const turn = turnScope.getStore();
  return turn?.open === true && turn.file === file;
}

function takeTurn<T>(file: string, work: () => Promise<T>): Promise<T> {
  const turn: Turn = { file, open: true };
  const result = (turnQueues.get(file) ?? Promise.resolve())
    .then(() => turnScope.run(turn, work))
    // Work started during the turn that outlives it (a fire-and-forget call) must queue again.
    .finally(() => {
      turn.open = false;
    });
  const tail = result.then(
    () => undefined,
    () => undefined,
  );
  turnQueues.set(file, tail);
  void tail.then(() => {
    if (turnQueues.get(file) === tail) {
      turnQueues.delete(file);
    }
  });
  return result;
}

// EntityManager methods that reach the database; each call on the bare manager is one turn,
// so a save (BEGIN, INSERT, COMMIT) cannot interleave with a transaction.
const MANAGER_CALLS = new Set<string | symbol>([
  'query',
  'find',
  'findBy',
  'findOne',
  'findOneBy',
  'findOneOrFail',
  'findOneByOrFail',
  'findAndCount',
  'findAndCountBy',
  'count',
  'countBy',
  'exists',
  'existsBy',
  'sum',
  'average',
  'minimum',
  'maximum',
  'preload',
  'save',
  'remove',
  'softRemove',
  'recover',
  'insert',
  'update',
  'updateAll',
  'upsert',
  'delete',
  'deleteAll',
  'softDelete',
  'restore',
  'increment',
  'decrement',
  'clear',
]);

const PATCHED = Symbol('turn-taking');
const DEADLOCK_ATTEMPTS = 3;

type Hook = () => void;
// After-commit hooks of the transactions now running, by the manager their work was given.
const pendingHooks = new WeakMap<EntityManager, Hook[]>();

@Injectable()
export class Transactions {
  private readonly logger = new Logger(Transactions.name);
  private readonly serialise: boolean;
  private readonly file: string;
  private readonly bareManager: EntityManager;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.serialise = dataSource.options.type === 'better-sqlite3';
    this.file = String(dataSource.options.database);
    this.bareManager = this.serialise ? this.turnTakingManager() : dataSource.manager;
    if (this.serialise) {
      this.queueLooseQueries();
    }
  }

  // Runs work in one transaction. On SQLite it waits for its turn; calling run() from inside
  // a transaction would wait for itself, so it fails at once: pass the EntityManager on.
  // A duplicate key on a unique name becomes that field's validation error (unique-keys.ts).
  run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.runAttempts(work, 1).catch(translateDuplicateKey);
  }

  // Like run(), for work whose locking reads guard an insert (two instances both find a key
  // free, both insert): InnoDB's deadlock detection rolls one of them back, and that one is
  // run again from the start, then sees the other's row. Only for work that does nothing
  // but write through em: a retry repeats all of it.
  runRetrying<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.runAttempts(work, DEADLOCK_ATTEMPTS).catch(translateDuplicateKey);
  }

  private async runAttempts<T>(
    work: (em: EntityManager) => Promise<T>,
    attempts: number,
  ): Promise<T> {
    let hooks: Hook[] = [];
    let value: T;
    if (this.serialise) {
      if (inTurn(this.file)) {
        throw new Error('Transactions.run() inside a transaction: pass its EntityManager on');
      }
      value = await takeTurn(this.file, () => this.transaction(work, hooks));
    } else {
      for (let attempt = 1; ; attempt++) {
        try {
          hooks = [];
          value = await this.transaction(work, hooks);
          break;
        } catch (err) {
          if (attempt >= attempts || !isDeadlock(err)) {
            throw err;
          }
        }
      }
    }
    for (const hook of hooks) {
      try {
        hook();
      } catch (err) {
        // The change is committed; a failing follow-up must not turn it into an error.
        this.logger.error(`after-commit hook failed: ${(err as Error).message}`);
      }
    }
    return value;
  }

  // Calls hook once the transaction that em belongs to has committed (never if it rolls
  // back), outside that transaction: for handing work to a job, such as queued mail to the
  // dispatcher. Hooks must not throw and should not wait: fire and forget.
  afterCommit(em: EntityManager, hook: Hook): void {
    const hooks = pendingHooks.get(em);
    if (hooks) {
      hooks.push(hook);
      return;
    }
    if (em.queryRunner?.isTransactionActive) {
      throw new Error('afterCommit() needs a transaction started by Transactions.run()');
    }
    // Not in a transaction: what em wrote is committed already.
    hook();
  }

  // For reads outside a transaction. On SQLite each call takes its turn, so it never sees
  // what an open transaction has not committed.
  get manager(): EntityManager {
    return this.bareManager;
  }

  // For reads that a write depends on (version checks, counters): a row lock on MySQL; SQLite
  // needs none because its transactions already take turns.
  get forUpdate(): { mode: 'pessimistic_write' } | undefined {
    return this.serialise ? undefined : { mode: 'pessimistic_write' };
  }

  get dialect(): 'mysql' | 'sqlite' {
    return this.serialise ? 'sqlite' : 'mysql';
  }

  private async transaction<T>(work: (em: EntityManager) => Promise<T>, hooks: Hook[]): Promise<T> {
    return this.dataSource.transaction(async (em) => {
      pendingHooks.set(em, hooks);
      try {
        return await work(em);
      } finally {
        pendingHooks.delete(em);
      }
    });
  }

  private turnTakingManager(): EntityManager {
    const file = this.file;
    return new Proxy(this.dataSource.manager, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function' || !MANAGER_CALLS.has(property)) {
          return value;
        }
        const method = value as (...args: unknown[]) => Promise<unknown>;
        return (...args: unknown[]) =>
          inTurn(file)
            ? method.apply(target, args)
            : takeTurn(file, () => method.apply(target, args));
      },
    });
  }

  // Query builders and repositories reach the connection through the driver's one shared
  // query runner; outside a turn, each of their queries takes one.
  private queueLooseQueries(): void {
    const runner = this.dataSource.createQueryRunner() as QueryRunner & { [PATCHED]?: true };
    if (runner[PATCHED]) {
      return;
    }
    const file = this.file;
    const query = runner.query.bind(runner);
    runner.query = (...args: Parameters<QueryRunner['query']>) =>
      inTurn(file) ? query(...args) : takeTurn(file, () => query(...args));
    runner[PATCHED] = true;
  }
}
