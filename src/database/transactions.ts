import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { translateDuplicateKey } from './unique-keys.js';

// TypeORM's SQLite drivers share one connection: two overlapping transactions would nest
// into savepoints of each other. And two connections to one file in one process (two app
// instances in a test) would deadlock: better-sqlite3 waits for a lock synchronously,
// freezing the event loop the holder needs to commit. So on SQLite every transaction on a
// file takes its turn, process-wide; MySQL runs them concurrently on pooled connections.
const sqliteTurns = new Map<string, Promise<unknown>>();

@Injectable()
export class Transactions {
  private readonly serialise: boolean;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.serialise = dataSource.options.type === 'better-sqlite3';
  }

  run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.turn(work).catch(translateDuplicateKey);
  }

  private turn<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialise) {
      return this.dataSource.transaction(work);
    }
    const file = String(this.dataSource.options.database);
    const result = (sqliteTurns.get(file) ?? Promise.resolve()).then(() =>
      this.dataSource.transaction(work),
    );
    sqliteTurns.set(
      file,
      result.catch(() => undefined),
    );
    return result;
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  // For reads that a write depends on (version checks, counters): a row lock on MySQL; SQLite
  // needs none because its transactions already take turns.
  get forUpdate(): { mode: 'pessimistic_write' } | undefined {
    return this.serialise ? undefined : { mode: 'pessimistic_write' };
  }

  get dialect(): 'mysql' | 'sqlite' {
    return this.serialise ? 'sqlite' : 'mysql';
  }
}
