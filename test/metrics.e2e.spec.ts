import 'reflect-metadata';
import request from 'supertest';
import { CaClient } from '../src/ca/ca-client.js';
import { Transactions } from '../src/database/transactions.js';
import { MailService } from '../src/mail/mail.service.js';
import { seedCertificate } from './support/certificate-seed.js';
import { Directory } from './support/directory.js';
import { DAY } from './support/fake-clock.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestPki } from './support/test-pki.js';

const TOKEN = 'metrics-token-0123456789abcdef0123456789';

function value(body: string, line: string): number {
  const found = body.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? NaN : Number(found.slice(line.length + 1));
}

describe('GET /metrics', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_TOKEN: TOKEN } });
  }, 60_000);
  afterAll(() => t?.close());

  it('answers 404 without the token, like a page that does not exist', async () => {
    expect((await request(t.server).get('/metrics')).status).toBe(404);
    const wrong = await request(t.server).get('/metrics').set('Authorization', `Bearer ${TOKEN}x`);
    expect(wrong.status).toBe(404);
  });

  it('reports certificates by state and expiry, mail and CA calls', async () => {
    const dir = await new Directory(t).init();
    const nren = (await dir.nren('Surf')).id;
    const org = (await dir.organisation(nren, 'Uni')).id;
    const dept = (await dir.department(org, 'IT')).id;
    const pki = await createTestPki();
    const now = t.clock.now();
    await seedCertificate(t, pki, dept, ['a.uni.example'], new Date(now.getTime() - 85 * DAY), 90);
    await seedCertificate(t, pki, dept, ['b.uni.example'], new Date(now.getTime() - 60 * DAY), 90);
    await seedCertificate(t, pki, dept, ['c.uni.example'], new Date(now.getTime() - 100 * DAY), 90);
    await t.get(Transactions).run((em) =>
      t.get(MailService).enqueue(em, {
        to: 'x@uni.example',
        template: 'test',
        language: 'en',
        context: { name: 'X' },
      }),
    );
    await t
      .get(CaClient)
      .collect(
        { loginName: 'nobody', password: 'wrong', customerId: '0' } as never,
        'no-such-order',
      )
      .catch(() => undefined);

    const res = await request(t.server).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(value(res.text, 'tcs_certificates{state="valid"}')).toBe(2);
    expect(value(res.text, 'tcs_certificates{state="expired"}')).toBe(1);
    expect(value(res.text, 'tcs_certificates_expiring{within_days="7"}')).toBe(1);
    expect(value(res.text, 'tcs_certificates_expiring{within_days="30"}')).toBe(2);
    expect(value(res.text, 'tcs_mail_messages{status="queued"}')).toBe(1);
    expect(value(res.text, 'tcs_expiry_reminders{outcome="sent"}')).toBe(0);
    expect(res.text).toMatch(
      /tcs_ca_call_duration_seconds_count\{operation="collect",outcome="\w+"\} 1/,
    );
  });

  it('lets an allowed address in without the token', async () => {
    const other = await createTestApp({ db: t.db, env: { METRICS_ALLOW: '127.0.0.0/8,::1' } });
    try {
      expect((await request(other.server).get('/metrics')).status).toBe(200);
    } finally {
      await other.close();
    }
    const none = await createTestApp({ db: t.db, env: { METRICS_ALLOW: '10.0.0.0/8' } });
    try {
      expect((await request(none.server).get('/metrics')).status).toBe(404);
    } finally {
      await none.close();
    }
  });
});
