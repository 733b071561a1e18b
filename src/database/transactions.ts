import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

// TypeORM's SQLite drivers share one connection: two overlapping transactions would nest
// into savepoints of each other. In the embedded mode (one process by definition) writes
// therefore take turns; MySQL runs them concurrently on pooled connections.
@Injectable()
export class Transactions {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly serialise: boolean;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.serialise = dataSource.options.type === 'better-sqlite3';
  }

  run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialise) {
      return this.dataSource.transaction(work);
    }
    const result = this.tail.then(() => this.dataSource.transaction(work));
    this.tail = result.catch(() => undefined);
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
