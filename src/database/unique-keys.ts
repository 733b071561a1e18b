import { QueryFailedError } from 'typeorm';
import { ValidationFailed, type FieldProblem } from '../common/errors.js';

// What a unique key refused means to the person who sent the form: the same field and code
// as the check a service makes first, which two requests at the same moment can both pass.
// MySQL names the key; SQLite names the table and columns.
const UNIQUE_KEYS: { index: string; columns: string; problem: FieldProblem }[] = [
  { index: 'uq_nrens_name', columns: 'nrens.name', problem: { field: 'name', code: 'name_taken' } },
  {
    index: 'uq_departments_org_name',
    columns: 'departments.organisation_id, departments.name',
    problem: { field: 'name', code: 'name_taken' },
  },
  {
    index: 'uq_products_code',
    columns: 'products.code',
    problem: { field: 'code', code: 'name_taken' },
  },
  {
    index: 'uq_domains_name',
    columns: 'domains.name',
    problem: { field: 'name', code: 'domain_taken' },
  },
  {
    index: 'uq_users_email',
    columns: 'users.email',
    problem: { field: 'email', code: 'email_taken' },
  },
  {
    index: 'uq_role_grants',
    columns: 'role_grants.user_id, role_grants.role, role_grants.scope_id',
    problem: { field: 'role', code: 'already_has_role' },
  },
];

export function duplicateKeyProblem(err: unknown): FieldProblem | null {
  if (!(err instanceof QueryFailedError)) {
    return null;
  }
  const driver = err.driverError as { code?: string; errno?: number; message?: string };
  const message = driver?.message ?? err.message;
  if (driver?.code === 'ER_DUP_ENTRY' || driver?.errno === 1062) {
    // "Duplicate entry '…' for key 'uq_x'" (MariaDB) or "… for key 'table.uq_x'" (MySQL 8).
    const key = /for key '(?:[^'.]*\.)?([^'.]+)'\s*$/.exec(message)?.[1];
    return UNIQUE_KEYS.find((k) => k.index === key)?.problem ?? null;
  }
  if (String(driver?.code).startsWith('SQLITE_CONSTRAINT')) {
    const columns = /UNIQUE constraint failed: (.+)$/.exec(message)?.[1]?.trim();
    return UNIQUE_KEYS.find((k) => k.columns === columns)?.problem ?? null;
  }
  return null;
}

// A transaction's duplicate key on a known unique name becomes the form's validation error.
export function translateDuplicateKey(err: unknown): never {
  const problem = duplicateKeyProblem(err);
  throw problem ? new ValidationFailed([problem]) : err;
}
