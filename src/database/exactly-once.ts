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

// insertOnce for many rows, answering for each: one multi-row INSERT when every key is free
// (the usual case, and one round trip instead of one per row). When any key is taken the
// statement fails as a whole on both dialects (a statement is atomic), and each row is then
// tried alone, so the answers are exactly those insertOnce would give.
export async function insertEachOnce<T extends ObjectLiteral>(
  em: EntityManager,
  entity: EntityTarget<T>,
  rows: QueryDeepPartialEntity<T>[],
): Promise<boolean[]> {
  if (rows.length === 0) {
    return [];
  }
  try {
    await em.insert(entity, rows);
    return rows.map(() => true);
  } catch (err) {
    if (!isDuplicateKey(err)) {
      throw err;
    }
  }
  const inserted: boolean[] = [];
  for (const row of rows) {
    inserted.push(await insertOnce(em, entity, row));
  }
  return inserted;
}
