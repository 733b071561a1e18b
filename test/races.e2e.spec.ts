import request from 'supertest';
import { ValidationFailed } from '../src/common/errors.js';
import { Transactions } from '../src/database/transactions.js';
import { Nren } from '../src/nrens/nren.entity.js';
import { User } from '../src/accounts/user.entity.js';
import { Directory } from './support/directory.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const ROUNDS = 8;

// Two instances on one database, the same request sent to both at the same moment: the
// rules that the services check first must hold when both checks pass at once. On MySQL
// these run truly in parallel; on SQLite transactions take turns.
describe('races between two instances', () => {
  let a: TestApp;
  let b: TestApp;
  let dir: Directory;

  beforeAll(async () => {
    a = await createTestApp({ env: { SESSION_SECRET: 'r'.repeat(40) } });
    b = await createTestApp({ db: a.db, clock: a.clock, env: { SESSION_SECRET: 'r'.repeat(40) } });
    dir = await new Directory(a).init();
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  const post = (t: TestApp, path: string, body: object) =>
    request(t.server)
      .post(`/api/v1${path}`)
      .set('Authorization', `Bearer ${dir.admin}`)
      .send(body)
      .then((r) => ({
        status: r.status,
        body: r.body as { errors?: { field: string; code: string }[] },
      }));

  it('a domain and a name below it are never held by two organisations', async () => {
    const nren1 = await dir.nren('RACE-ONE');
    const nren2 = await dir.nren('RACE-TWO');
    for (let i = 0; i < ROUNDS; i++) {
      const org1 = await dir.organisation(nren1.id, `Upper ${i}`);
      const org2 = await dir.organisation(nren2.id, `Lower ${i}`);
      const [upper, lower] = await Promise.all([
        post(a, `/organisations/${org1.id}/domains`, { name: `race${i}.example.org` }),
        post(b, `/organisations/${org2.id}/domains`, { name: `www.race${i}.example.org` }),
      ]);
      const statuses = [upper.status, lower.status].sort();
      expect(statuses).toEqual([201, 422]);
      const refused = upper.status === 422 ? upper : lower;
      expect(refused.body.errors).toEqual([
        expect.objectContaining({ field: 'name', code: 'domain_taken_by' }),
      ]);
    }
  });

  it('the same domain sent twice at once: one registration, one field error', async () => {
    const nren = await dir.nren('RACE-SAME');
    for (let i = 0; i < ROUNDS; i++) {
      const org1 = await dir.organisation(nren.id, `First ${i}`);
      const org2 = await dir.organisation(nren.id, `Second ${i}`);
      const replies = await Promise.all([
        post(a, `/organisations/${org1.id}/domains`, { name: `same${i}.example.net` }),
        post(b, `/organisations/${org2.id}/domains`, { name: `same${i}.example.net` }),
      ]);
      expect(replies.map((r) => r.status).sort()).toEqual([201, 422]);
    }
  });

  it('unique names answer 422 with the field’s code, never 500', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const replies = await Promise.all([
        post(a, '/nrens', nrenBody(`TWIN-${i}`)),
        post(b, '/nrens', nrenBody(`TWIN-${i}`)),
      ]);
      expect(replies.map((r) => r.status).sort()).toEqual([201, 422]);
      expect(replies.find((r) => r.status === 422)!.body.errors).toEqual([
        expect.objectContaining({ field: 'name', code: 'name_taken' }),
      ]);
    }
    const nren = await dir.nren('TWIN-DEPTS');
    const org = await dir.organisation(nren.id, 'Twin University');
    for (let i = 0; i < ROUNDS; i++) {
      const replies = await Promise.all([
        post(a, `/organisations/${org.id}/departments`, { name: `Physics ${i}` }),
        post(b, `/organisations/${org.id}/departments`, { name: `Physics ${i}` }),
      ]);
      expect(replies.map((r) => r.status).sort()).toEqual([201, 422]);
      expect(replies.find((r) => r.status === 422)!.body.errors).toEqual([
        expect.objectContaining({ field: 'name', code: 'name_taken' }),
      ]);
    }
  });
});

// What the database refuses is reported like the services' own checks, on either dialect.
describe('duplicate keys', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('become the field’s validation error', async () => {
    const tx = t.get(Transactions);
    await tx.run((em) => em.insert(Nren, nrenBody('DUP')));
    await expect(tx.run((em) => em.insert(Nren, nrenBody('DUP')))).rejects.toEqual(
      new ValidationFailed([{ field: 'name', code: 'name_taken' }]),
    );
    const user = () => ({ email: 'dup@example.org', displayName: 'Dup', passwordHash: null });
    await tx.run((em) => em.insert(User, user()));
    const err: unknown = await tx.run((em) => em.insert(User, user())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationFailed);
    expect((err as ValidationFailed).problems).toEqual([{ field: 'email', code: 'email_taken' }]);
  });
});

function nrenBody(name: string) {
  return {
    name,
    country: 'SE',
    contactEmail: `ops@${name.toLowerCase()}.example`,
    defaultLanguage: 'en',
    caProductIds: {},
  };
}
