import request from 'supertest';
import { AccountsService } from '../../src/accounts/accounts.service.js';
import type { Role } from '../../src/accounts/role-grant.entity.js';
import { RoleGrant } from '../../src/accounts/role-grant.entity.js';
import { User } from '../../src/accounts/user.entity.js';
import { Transactions } from '../../src/database/transactions.js';
import type { TestApp } from './test-app.js';

const CLI = { id: null, label: 'cli' };

// Builds people and places straight through the services, for tests that need them.
export class Directory {
  private adminToken = '';

  constructor(private readonly t: TestApp) {}

  async init(): Promise<this> {
    await this.t.get(AccountsService).createAdmin('root@example.org', 'platform-admin-secret', CLI);
    this.adminToken = (
      await this.t.get(AccountsService).createToken('root@example.org', 'setup', CLI)
    ).secret;
    return this;
  }

  get admin(): string {
    return this.adminToken;
  }

  async api(
    method: 'get' | 'post' | 'patch' | 'put',
    path: string,
    body?: object,
    token = this.adminToken,
  ) {
    const req = request(this.t.server)
      [method](`/api/v1${path}`)
      .set('Authorization', `Bearer ${token}`);
    return body ? req.send(body) : req;
  }

  async create<T = { id: number; version: number }>(path: string, body: object): Promise<T> {
    const res = await this.api('post', path, body);
    if (res.status !== 201 && res.status !== 200) {
      throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    return res.body as T;
  }

  nren(name: string) {
    return this.create('/nrens', {
      name,
      country: 'NL',
      contactEmail: `ops@${name.toLowerCase()}.example`,
      defaultLanguage: 'en',
      caProductIds: {},
    });
  }

  organisation(nrenId: number, name: string) {
    return this.create('/organisations', {
      nrenId,
      name,
      streetAddress: '1 Campus Road',
      locality: 'Utrecht',
      country: 'NL',
      certificateContacts: [],
      allowedProducts: ['OV_SSL'],
    });
  }

  department(organisationId: number, name: string) {
    return this.create(`/organisations/${organisationId}/departments`, { name });
  }

  domain(organisationId: number, name: string, wildcardsAllowed = false) {
    return this.create(`/organisations/${organisationId}/domains`, { name, wildcardsAllowed });
  }

  // A person holding one role, with an API token to act as them.
  async person(email: string, role: Role, scopeId: number): Promise<{ id: number; token: string }> {
    const tx = this.t.get(Transactions);
    const user =
      (await tx.manager.findOneBy(User, { email })) ??
      (await tx.manager.save(User, {
        email,
        displayName: email.split('@')[0],
        passwordHash: null,
      }));
    await tx.manager.save(RoleGrant, { userId: user.id, role, scopeId });
    const { secret } = await this.t.get(AccountsService).createTokenFor(user.id, 'test', CLI);
    return { id: user.id, token: secret };
  }
}
