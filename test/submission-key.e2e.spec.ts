import * as argon2 from 'argon2';
import request from 'supertest';
import { User } from '../src/accounts/user.entity.js';
import { Transactions } from '../src/database/transactions.js';
import { CertificateRequest } from '../src/requests/certificate-request.entity.js';
import { buildCsr, keyFor, toPem } from './fixtures/csr/csr-builder.js';
import { Directory } from './support/directory.js';
import { csrfFrom } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// One request form makes one request, even when it is sent twice at once to two instances.
describe('a request form submitted twice', () => {
  let a: TestApp;
  let b: TestApp;
  let deptId: number;
  const env = { SESSION_SECRET: 'y'.repeat(40) };

  beforeAll(async () => {
    a = await createTestApp({ env });
    b = await createTestApp({ db: a.db, clock: a.clock, env });
    const dir = await new Directory(a).init();
    const nren = await dir.nren('RENATER');
    const org = await dir.organisation(nren.id, 'Université Exemple');
    deptId = (await dir.department(org.id, 'Physique')).id;
    const d = await dir.domain(org.id, 'physique.example.org');
    await dir.api('post', `/domains/${d.id}/manual-validation`, { version: d.version, note: 'x' });
    const v = (await dir.api('get', `/domains/${d.id}`)).body.version;
    await dir.api('patch', `/domains/${d.id}`, { version: v, departmentIds: [deptId] });
    await dir.person('marie@physique.example.org', 'requester', deptId);
    await a
      .get(Transactions)
      .manager.update(
        User,
        { email: 'marie@physique.example.org' },
        { passwordHash: await argon2.hash('marie-long-password', { type: argon2.argon2id }) },
      );
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('records one request and sends both presses to it', async () => {
    // Both instances see the same browser: every cookie it was given (session and CSRF nonce).
    const jar = new Map<string, string>();
    const keep = (res: { headers: Record<string, unknown> }) => {
      for (const c of (res.headers['set-cookie'] as string[] | undefined) ?? []) {
        const [pair] = c.split(';');
        const eq = pair.indexOf('=');
        jar.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    };
    const login = await request(a.server).get('/login');
    const anon = keep(login);
    const res = await request(a.server)
      .post('/login')
      .set('Cookie', anon)
      .type('form')
      .send({
        email: 'marie@physique.example.org',
        password: 'marie-long-password',
        _csrf: csrfFrom(login.text),
      })
      .expect(303);
    const cookie = keep(res);
    const form = await request(a.server).get('/requests/new').set('Cookie', cookie).expect(200);
    const csr = toPem(
      buildCsr({
        key: await keyFor({ type: 'ec', curve: 'P-256' }),
        subject: [['CN', 'www.physique.example.org']],
        san: [{ type: 'dns', value: 'www.physique.example.org' }],
      }),
    );
    const preview = await request(a.server)
      .post('/requests/check')
      .set('Cookie', cookie)
      .field('_csrf', csrfFrom(form.text))
      .field('departmentId', String(deptId))
      .field('product', 'OV_SSL')
      .field('csr', csr)
      .expect(200);
    const key = /name="submissionKey" value="([^"]+)"/.exec(preview.text)![1];
    const send = (t: TestApp) =>
      request(t.server)
        .post('/requests')
        .set('Cookie', cookie)
        .field('_csrf', csrfFrom(preview.text))
        .field('submissionKey', key)
        .field('departmentId', String(deptId))
        .field('product', 'OV_SSL')
        .field('csr', csr);
    const [first, second] = await Promise.all([send(a), send(b)]);
    expect([first.status, second.status]).toEqual([303, 303]);
    expect(second.headers.location).toBe(first.headers.location);
    // Later still (Back, then Submit): the same request.
    const third = await send(b).expect(303);
    expect(third.headers.location).toBe(first.headers.location);
    expect(
      await a.get(Transactions).manager.countBy(CertificateRequest, { submissionKey: key }),
    ).toBe(1);
  });
});
