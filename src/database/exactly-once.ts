import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { isDuplicateKey } from './database-errors.js';

// How a job does something exactly once: each unit of work has a unique key in a table of
// its own (a reminder: (certificate, threshold); an order: the request), and the row with
// that key is inserted in the same transaction as the work it records. The instance whose
// insert wins does the work; every other one, now or in any later run, finds the key taken
// and skips. A lease (./leases.ts) only keeps two instances from working on a row at the
// same moment; the key is what makes the outcome happen once.
//
// Inserts values into entity's table and answers true, or answers false when a row with the
// same unique key is already there (committed, or being written by a transaction that then
// commits: MySQL makes this insert wait for it). Any other error is thrown.
export async function insertOnce<T extends ObjectLiteral>(
  em: EntityManager,
  entity: EntityTarget<T>,
  values: QueryDeepPartialEntity<T>,
): Promise<boolean> {
  try {
    await em.insert(entity, values);
    return true;
  } catch (err) {
    // A failed statement leaves the transaction usable on both dialects.
    if (isDuplicateKey(err)) {
      return false;
    }
    throw err;
  }
}
