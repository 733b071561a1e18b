import 'reflect-metadata';
import request from 'supertest';
import { Certificate } from '../src/certificates/certificate.entity.js';
import { toPem } from '../src/certificates/formats.js';
import { Transactions } from '../src/database/transactions.js';
import { ExpiryReminders } from '../src/expiry/expiry-reminders.service.js';
import { MailMessage } from '../src/mail/mail-message.entity.js';
import { Organisation } from '../src/organisations/organisation.entity.js';
import { Directory } from './support/directory.js';
import { DAY } from './support/fake-clock.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestPki, generateKeys, type TestPki } from './support/test-pki.js';

interface Item {
  file: string;
  index: number;
  outcome: string;
  certificateId?: number;
  code?: string;
  message?: string;
}

describe('importing certificates', () => {
  let t: TestApp;
  let dir: Directory;
  let pki: TestPki;
  let deptId: number;
  let orgId: number;
  let rao: { token: string };
  let requester: { token: string };

  const leaf = async (name: string, days = 90) =>
    pki.issue({
      publicKey: (await generateKeys()).publicKey,
      names: [name],
      notBefore: new Date(t.clock.now().getTime() - DAY),
      days,
    });
  const post = (token: string, body: object, lang = 'en') =>
    request(t.server)
      .post('/api/v1/certificates/import')
      .set('Authorization', `Bearer ${token}`)
      .set('Accept-Language', lang)
      .send(body);

  beforeAll(async () => {
    t = await createTestApp();
    dir = await new Directory(t).init();
    pki = await createTestPki();
    const nrenId = (await dir.nren('Surf')).id;
    orgId = (await dir.organisation(nrenId, 'Uni')).id;
    deptId = (await dir.department(orgId, 'IT')).id;
    rao = await dir.person('rao@uni.example', 'rao', orgId);
    requester = await dir.person('req@uni.example', 'requester', deptId);
  }, 60_000);
  afterAll(() => t?.close());

  it('imports PEM, PEM bundles and DER, answers for every certificate, and recognises duplicates', async () => {
    const one = await leaf('one.uni.example');
    const two = await leaf('two.uni.example');
    const three = await leaf('three.uni.example');
    const der = await leaf('der.uni.example');
    const bundle = toPem(two) + toPem(pki.intermediate.der) + toPem(three);
    const res = await post(
      rao.token,
      {
        departmentId: deptId,
        files: [
          { name: 'one.pem', content: toPem(one) },
          { name: 'bundle.pem', content: bundle },
          { name: 'der.cer', content: Buffer.from(der).toString('base64') },
          { name: 'again.pem', content: toPem(one) },
          { name: 'notes.txt', content: 'hello: not a certificate' },
          {
            name: 'empty.pem',
            content: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
          },
        ],
      },
      'fr',
    );
    expect(res.status).toBe(200);
    const items = res.body.items as Item[];
    expect(items.map((i) => `${i.file}#${i.index}:${i.outcome}`)).toEqual([
      'one.pem#1:imported',
      'bundle.pem#1:imported',
      'bundle.pem#3:imported',
      'der.cer#1:imported',
      'again.pem#1:duplicate',
      'notes.txt#0:refused',
      'empty.pem#0:refused',
    ]);
    expect(res.body.imported).toBe(4);
    expect(items[4].message).toBe(
      "Ce certificat est déjà connu (même empreinte SHA-256) ; il n'a pas été enregistré une seconde fois.",
    );
    expect(items[5].message).toBe("Ce n'est pas un certificat X.509 lisible.");
    expect(items[6].message).toBe("Aucun certificat n'a été trouvé dans ce fichier.");

    const stored = await t.get(Transactions).manager.findBy(Certificate, { departmentId: deptId });
    expect(stored.map((c) => c.mainName).sort()).toEqual([
      'der.uni.example',
      'one.uni.example',
      'three.uni.example',
      'two.uni.example',
    ]);
    expect(stored.every((c) => c.source === 'imported' && c.requestId === null)).toBe(true);
    // The bundle's intermediate is the chain of its leaves, downloadable with them.
    const twoId = items[1].certificateId!;
    const chain = await request(t.server)
      .get(`/api/v1/certificates/${twoId}/chain`)
      .set('Authorization', `Bearer ${rao.token}`);
    expect(chain.status).toBe(200);
    expect(chain.text).toContain(toPem(pki.intermediate.der).trim().split('\n')[1]);
  });

  it('imported certificates get reminders like ordered ones', async () => {
    await t
      .get(Transactions)
      .manager.update(Organisation, { id: orgId }, { certificateContacts: ['ops@uni.example'] });
    const soon = await leaf('soon.uni.example', 10);
    const res = await post(rao.token, {
      departmentId: deptId,
      files: [{ name: 'soon.pem', content: toPem(soon) }],
    });
    expect(res.body.items[0].outcome).toBe('imported');
    const reminders = t.get(ExpiryReminders);
    await reminders.run(t.clock.now());
    // 10-day certificate from a day ago: 7 days before expiry comes in two days.
    await reminders.run(new Date(t.clock.now().getTime() + 3 * DAY));
    const mails = await t
      .get(Transactions)
      .manager.findBy(MailMessage, { toAddress: 'ops@uni.example' });
    expect(mails).toHaveLength(1);
    expect(mails[0].textBody).toContain('soon.uni.example');
  });

  it('refuses a department outside the caller’s organisation and bad input, with localised field errors', async () => {
    const none = await post(requester.token, {
      departmentId: deptId,
      files: [{ name: 'x.pem', content: 'x' }],
    });
    expect(none.status).toBe(404);
    const bad = await post(rao.token, { departmentId: 'abc', files: [] }, 'de');
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('departmentId');
    expect(JSON.stringify(bad.body)).toContain('files');
  });
});
