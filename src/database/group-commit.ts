import type { EntityManager } from 'typeorm';
import type { Transactions } from './transactions.js';

interface Pending {
  work: (em: EntityManager) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

// Group commit for the outcomes of calls made side by side (a batch of CA orders or
// collections): each outcome is written as soon as it is known, but those that arrive while
// a commit is under way share the next transaction, so ten outcomes cost two or three
// durable commits instead of ten. No outcome waits for a call that has not answered yet.
//
// Each write is its own unit: should the shared transaction fail, it is rolled back whole
// and every write in it runs again on its own, so one bad write holds up no other and
// fails alone. Writes must therefore be safe to repeat after a rollback: only writes
// through em, as Transactions.runRetrying asks. Made for one run of a job: it holds nothing
// once the writes given to it have settled.
export class GroupCommit {
  private queue: Pending[] = [];
  private committing = false;

  constructor(private readonly tx: Transactions) {}

  write<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.committing) {
      return;
    }
    this.committing = true;
    try {
      while (this.queue.length) {
        await this.commit(this.queue.splice(0));
      }
    } finally {
      this.committing = false;
    }
  }

  private async commit(group: Pending[]): Promise<void> {
    if (group.length > 1) {
      let values: unknown[] | null = null;
      try {
        values = await this.tx.runRetrying(async (em) => {
          const out: unknown[] = [];
          for (const p of group) {
            out.push(await p.work(em));
          }
          return out;
        });
      } catch {
        // Rolled back whole: each write again on its own, below.
      }
      if (values) {
        group.forEach((p, i) => p.resolve(values[i]));
        return;
      }
    }
    for (const p of group) {
      try {
        p.resolve(await this.tx.runRetrying(p.work));
      } catch (err) {
        p.reject(err);
      }
    }
  }
}
