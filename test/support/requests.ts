import argon2 from 'argon2';
import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { AccountsService } from '../../src/accounts/accounts.service.js';
import type { Principal } from '../../src/accounts/principal.js';
import { User } from '../../src/accounts/user.entity.js';
import { Transactions } from '../../src/database/transactions.js';
import { buildCsr, toPem } from '../fixtures/csr/csr-builder.js';
import type { Directory } from './directory.js';
import type { TestApp } from './test-app.js';

// A CSR for names under a domain, with a fresh P-256 key (quick to make; keyFor would share
// one per file, and one key in two organisations is refused). The same CSR may be sent again
// within one organisation: key reuse there is only a warning.
export function csrFor(names: string[]): string {
  const { privateKey: key } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return toPem(
    buildCsr({
      key,
      subject: [['CN', names[0]]],
      san: names.map((value) => ({ type: 'dns', value })),
    }),
  );
}

// Makes a domain usable for requests from a department: validated by hand and delegated.
export async function usableDomain(
  dir: Directory,
  domainId: number,
  departmentIds: number[],
): Promise<void> {
  const d = (await dir.api('get', `/domains/${domainId}`)).body as { version: number };
  const validated = await dir.api('post', `/domains/${domainId}/manual-validation`, {
    version: d.version,
    note: 'test fixture',
  });
  const delegated = await dir.api('patch', `/domains/${domainId}`, {
    version: validated.body.version,
    departmentIds,
  });
  if (delegated.status !== 200) {
    throw new Error(`domain ${domainId}: ${delegated.status} ${JSON.stringify(delegated.body)}`);
  }
}

export interface SubmittedRequest {
  id: number;
  version: number;
  status: string;
  actions: string[];
}

export async function submitRequest(
  t: TestApp,
  token: string,
  departmentId: number,
  csr: string,
): Promise<SubmittedRequest> {
  const res = await request(t.server)
    .post('/api/v1/requests')
    .set('Authorization', `Bearer ${token}`)
    .send({ departmentId, product: 'OV_SSL', csr });
  if (res.status !== 201) {
    throw new Error(`submit: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body as SubmittedRequest;
}

export async function principalOf(t: TestApp, userId: number): Promise<Principal> {
  const p = await t.get(AccountsService).loadPrincipal(userId, 'session');
  if (!p) {
    throw new Error(`no principal for user ${userId}`);
  }
  return p;
}

// Gives a person made by Directory.person a password, so they can log in to the pages.
export async function setPassword(t: TestApp, userId: number, password: string): Promise<void> {
  await t
    .get(Transactions)
    .manager.update(
      User,
      { id: userId },
      { passwordHash: await argon2.hash(password, { type: argon2.argon2id }) },
    );
}
