import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { webcrypto } from 'node:crypto';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import request from 'supertest';
import { Certificate } from '../src/certificates/certificate.entity.js';
import { toPem } from '../src/certificates/formats.js';
import { Transactions } from '../src/database/transactions.js';
import { ExpiryReminder } from '../src/expiry/expiry-reminder.entity.js';
import { ExpiryReminders } from '../src/expiry/expiry-reminders.service.js';
import { Organisation } from '../src/organisations/organisation.entity.js';
import { Directory } from './support/directory.js';
import { agentFor, csrfFrom, login } from './support/http.js';
import { setPassword } from './support/requests.js';
import { TestDnsServer } from './support/dns-server.js';
import { DAY } from './support/fake-clock.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestPki, generateKeys, type CryptoKey, type TestPki } from './support/test-pki.js';

interface Item {
  line: number;
  host: string;
  port: number;
  address?: string;
  outcome: string;
  certificateId?: number;
  mainName?: string;
  code?: string;
  message?: string;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PRIVATE KEY-----\n`;
}

const listening = <S extends TlsServer | TcpServer>(server: S): Promise<number> =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );

// The name-to-server import against real TLS servers on loopback, named through a DNS server
// on loopback: what each server presents is stored like an upload, and every row of the CSV
// gets an answer.
describe('importing the certificates servers present, from a CSV of host names', () => {
  let t: TestApp;
  let strict: TestApp;
  let dir: Directory;
  let pki: TestPki;
  let dns: TestDnsServer;
  let deptId: number;
  let orgId: number;
  let rao: { id: number; token: string };
  let requester: { id: number; token: string };
  const servers: Array<TlsServer | TcpServer> = [];
  const sockets: Socket[] = [];
  const port: Record<string, number> = {};
  const leaves: Record<string, Uint8Array> = {};

  const post = (app: TestApp, body: object, lang = 'en') =>
    request(app.server)
      .post('/api/v1/certificates/import')
      .set('Authorization', `Bearer ${rao.token}`)
      .set('Accept-Language', lang)
      .send(body);

  // A TLS server presenting `chain` (leaf first) with the leaf's key.
  async function tlsServer(name: string, chain: Uint8Array[], key: CryptoKey): Promise<void> {
    const server = createTlsServer({
      key: await keyPem(key),
      cert: chain.map((der) => toPem(der)).join(''),
    });
    server.on('secureConnection', (s) => s.end());
    server.on('tlsClientError', () => undefined);
    servers.push(server);
    port[name] = await listening(server);
    leaves[name] = chain[0];
  }

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    const env = { DCV_DNS_SERVERS: dns.address, IMPORT_TLS_TIMEOUT: '1', IMPORT_CONCURRENCY: '3' };
    t = await createTestApp({ env: { ...env, DCV_ALLOW_PRIVATE_ADDRESSES: 'true' } });
    strict = await createTestApp({ db: t.db, env, clock: t.clock });
    dir = await new Directory(t).init();
    pki = await createTestPki();
    const nrenId = (await dir.nren('Surf')).id;
    orgId = (await dir.organisation(nrenId, 'Uni')).id;
    deptId = (await dir.department(orgId, 'Web')).id;
    rao = await dir.person('rao@uni.example', 'rao', orgId);
    requester = await dir.person('req@uni.example', 'requester', deptId);
    await setPassword(t, rao.id, 'rao-long-password-1');
    await setPassword(t, requester.id, 'requester-long-password-1');

    const now = t.clock.now().getTime();
    const issue = async (name: string, notBefore: number, days: number) => {
      const keys = await generateKeys();
      const der = await pki.issue({
        publicKey: keys.publicKey,
        names: [name],
        notBefore: new Date(notBefore),
        days,
      });
      return { der, keys };
    };
    const valid = await issue('valid.uni.example', now - DAY, 10);
    await tlsServer('valid', [valid.der, pki.intermediate.der], valid.keys.privateKey);
    const expired = await issue('expired.uni.example', now - 100 * DAY, 30);
    await tlsServer('expired', [expired.der, pki.intermediate.der], expired.keys.privateKey);
    const self = await pki.makeAuthority('CN=self.uni.example');
    await tlsServer('self', [self.der], self.keys.privateKey);
    // A second server presenting the valid one's certificate: known by its fingerprint.
    await tlsServer('again', [valid.der, pki.intermediate.der], valid.keys.privateKey);
    // Accepts and never answers the handshake.
    const silent = createTcpServer((s) => sockets.push(s));
    servers.push(silent);
    port.silent = await listening(silent);
    // Nothing listens here any more.
    const closed = createTcpServer();
    port.closed = await listening(closed);
    await new Promise((r) => closed.close(r));

    for (const name of ['valid', 'expired', 'self', 'again', 'silent', 'closed']) {
      dns.set(`${name}.uni.example`, { A: ['127.0.0.1'] });
    }
    dns.set('intranet.uni.example', { A: ['10.1.2.3'] });
    dns.set('localhost', { A: ['127.0.0.1'] });
  }, 120_000);

  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await strict?.close();
    await t?.close();
    await dns?.close();
  });

  it('imports what each server presents, expired and self-signed too, and answers for every row', async () => {
    const csv = [
      'host,port',
      `valid.uni.example,${port.valid}`,
      `expired.uni.example,${port.expired}`,
      `self.uni.example,${port.self}`,
      `again.uni.example,${port.again}`,
      `closed.uni.example,${port.closed}`,
      `silent.uni.example,${port.silent}`,
      `nowhere.uni.example,${port.valid}`,
      'not a host!,443',
      `valid.uni.example,${port.valid}`,
    ].join('\r\n');
    const started = Date.now();
    const res = await post(t, { departmentId: deptId, hosts: csv }, 'de');
    expect(res.status).toBe(200);
    // The silent server takes the 1 s timeout; the rest run beside it.
    expect(Date.now() - started).toBeLessThan(8000);
    const items = res.body.items as Item[];
    expect(items.map((i) => `${i.line} ${i.host}: ${i.outcome} ${i.code ?? ''}`.trim())).toEqual([
      `2 valid.uni.example,${port.valid}: imported`,
      `3 expired.uni.example,${port.expired}: imported`,
      `4 self.uni.example,${port.self}: imported`,
      `5 again.uni.example,${port.again}: duplicate certificate_duplicate`,
      `6 closed.uni.example,${port.closed}: refused import_host_refused`,
      `7 silent.uni.example,${port.silent}: refused import_host_timeout`,
      `8 nowhere.uni.example,${port.valid}: refused import_host_unresolvable`,
      '9 not a host!,443: refused import_host_invalid',
      `10 valid.uni.example,${port.valid}: duplicate certificate_duplicate`,
    ]);
    expect(res.body.imported).toBe(3);
    expect(items[0]).toMatchObject({ address: '127.0.0.1', mainName: 'valid.uni.example' });
    expect(items[4].message).toBe('Der Server hat die Verbindung auf diesem Port abgelehnt.');
    expect(items[5].message).toBe('Der Server hat nicht rechtzeitig geantwortet.');
    expect(items[6].message).toBe('Dieser Hostname hat keine Adresse im DNS.');

    const em = t.get(Transactions).manager;
    const stored = await em.findBy(Certificate, { departmentId: deptId });
    expect(stored.map((c) => c.mainName).sort()).toEqual([
      'expired.uni.example',
      'self.uni.example',
      'valid.uni.example',
    ]);
    expect(stored.every((c) => c.source === 'imported' && c.requestId === null)).toBe(true);
    const byName = Object.fromEntries(stored.map((c) => [c.mainName, c]));
    expect(new Date(byName['expired.uni.example'].notAfter).getTime()).toBeLessThan(
      t.clock.now().getTime(),
    );
    // The chain as the server sent it: the intermediate after the leaf, no root added.
    const chain = await request(t.server)
      .get(`/api/v1/certificates/${items[0].certificateId}/chain`)
      .set('Authorization', `Bearer ${rao.token}`);
    expect(chain.status).toBe(200);
    const sent = x509.PemConverter.decode(chain.text);
    expect(sent.map((d) => Buffer.from(d).toString('base64'))).toEqual([
      Buffer.from(pki.intermediate.der).toString('base64'),
    ]);
    const pem = await request(t.server)
      .get(`/api/v1/certificates/${items[0].certificateId}/pem`)
      .set('Authorization', `Bearer ${rao.token}`);
    expect(pem.text.trim()).toBe(toPem(leaves.valid).trim());
  });

  it('refuses private and loopback addresses unless the lab switch is on', async () => {
    const csv = [
      `localhost,${port.valid}`,
      `intranet.uni.example`,
      `127.0.0.1,${port.valid}`,
      `[::1],${port.valid}`,
    ].join('\n');
    const res = await post(strict, { departmentId: deptId, hosts: csv }, 'fr');
    expect(res.status).toBe(200);
    const items = res.body.items as Item[];
    expect(items.map((i) => `${i.host}: ${i.code} ${i.address}`)).toEqual([
      `localhost,${port.valid}: import_host_private 127.0.0.1`,
      'intranet.uni.example: import_host_private 10.1.2.3',
      `127.0.0.1,${port.valid}: import_host_private 127.0.0.1`,
      `[::1],${port.valid}: import_host_private ::1`,
    ]);
    expect(items[1].port).toBe(443);
    expect(items[0].message).toContain('adresse privée');
    expect(res.body.imported).toBe(0);
  });

  it('refuses an upload naming more servers than allowed, or none, or files and hosts at once', async () => {
    const many = Array.from({ length: 501 }, (_, i) => `h${i}.uni.example`).join('\n');
    const tooMany = await post(t, { departmentId: deptId, hosts: many });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.code).toBe('import_too_many_hosts');
    expect(tooMany.body.title).toContain('500');
    const none = await post(t, { departmentId: deptId, hosts: 'host\n\n# nothing\n' });
    expect(none.status).toBe(422);
    expect(none.body.code).toBe('import_no_hosts');
    const both = await post(t, {
      departmentId: deptId,
      hosts: 'valid.uni.example',
      files: [{ name: 'a.pem', content: 'x' }],
    });
    expect(both.status).toBe(422);
    expect(JSON.stringify(both.body)).toContain('hosts');
  });

  it('a certificate imported from a server gets reminders like an ordered one', async () => {
    await t
      .get(Transactions)
      .manager.update(Organisation, { id: orgId }, { certificateContacts: ['web@uni.example'] });
    const em = t.get(Transactions).manager;
    const cert = await em.findOneByOrFail(Certificate, { mainName: 'valid.uni.example' });
    const reminders = t.get(ExpiryReminders);
    await reminders.run(t.clock.now());
    // Ten days from a day ago: the 7-day threshold is crossed within three days.
    await reminders.run(new Date(t.clock.now().getTime() + 3 * DAY));
    const sent = await em.findBy(ExpiryReminder, { certificateId: cert.id });
    expect(sent.map((r) => `${r.thresholdDays} ${r.recipient} ${r.outcome}`)).toContain(
      '7 web@uni.example sent',
    );
  });

  it('the import page: files and servers in, a page of what became of each, the reminder log and its mute switch', async () => {
    const agent = agentFor(t);
    await login(agent, 'rao@uni.example', 'rao-long-password-1');
    agent.set('Accept-Language', 'nl');
    const list = await agent.get('/certificates').expect(200);
    expect(list.text).toContain('href="/certificates/import"');
    const form = await agent.get('/certificates/import').expect(200);
    expect(form.text).toContain('<h1 class="govuk-heading-l">Certificaten importeren</h1>');
    expect(form.text).toContain('Uni / Web');

    // Neither files nor servers: the form again, with what was wrong and what was typed.
    const empty = await agent
      .post('/certificates/import')
      .field('_csrf', csrfFrom(form.text))
      .field('departmentId', String(deptId))
      .field('hosts', '   ');
    expect(empty.status).toBe(422);
    expect(empty.text).toContain(
      'Kies certificaatbestanden of een CSV met hostnamen om te importeren.',
    );
    expect(empty.text).toContain('href="#files"');

    const fresh = await pki.issue({
      publicKey: (await generateKeys()).publicKey,
      names: ['upload.uni.example'],
      notBefore: new Date(t.clock.now().getTime() - DAY),
      days: 60,
    });
    const files = await agent
      .post('/certificates/import')
      .field('_csrf', csrfFrom(form.text))
      .field('departmentId', String(deptId))
      .attach('files', Buffer.from(toPem(fresh)), 'upload.pem')
      .attach('files', Buffer.from(leaves.valid), 'valid.der')
      .attach('files', Buffer.from('not a certificate'), 'notes.txt');
    expect(files.status).toBe(200);
    expect(files.text).toContain('Resultaat van de import');
    expect(files.text).toContain('Geïmporteerd: 1');
    expect(files.text).toContain('Al bekend: 1');
    expect(files.text).toContain('Geweigerd: 1');
    expect(files.text).toContain('upload.pem, certificaat 1');
    expect(files.text).toContain('Dit is geen leesbaar X.509-certificaat.');

    // A CSV file of servers: typed text is ignored when a file is chosen.
    const hosts = await agent
      .post('/certificates/import')
      .field('_csrf', csrfFrom(form.text))
      .field('departmentId', String(deptId))
      .attach(
        'hostsFile',
        Buffer.from(`host\nexpired.uni.example,${port.expired}\nnowhere.uni.example\n`),
        'servers.csv',
      );
    expect(hosts.status).toBe(200);
    expect(hosts.text).toContain(`regel 2: expired.uni.example,${port.expired}`);
    expect(hosts.text).toContain('Al bekend');
    expect(hosts.text).toContain('regel 3: nowhere.uni.example');
    expect(hosts.text).toContain('Deze hostnaam heeft geen adres in de DNS.');

    // The reminder log, reached from the certificate page, and the RAO's mute switch.
    const cert = await t
      .get(Transactions)
      .manager.findOneByOrFail(Certificate, { mainName: 'valid.uni.example' });
    const show = await agent.get(`/certificates/${cert.id}`).expect(200);
    expect(show.text).toContain(`href="/expiries/certificates/${cert.id}"`);
    const logPage = await agent.get(`/expiries/certificates/${cert.id}`).expect(200);
    expect(logPage.text).toContain('web@uni.example');
    expect(logPage.text).toContain('Verstuurd');
    const muted = await agent
      .post(`/expiries/certificates/${cert.id}`)
      .type('form')
      .send({ _csrf: csrfFrom(logPage.text), muted: 'on', extraAddresses: 'noc@uni.example' });
    expect(muted.status).toBe(303);
    const after = await agent.get(`/expiries/certificates/${cert.id}`).expect(200);
    expect(after.text).toContain('Herinneringen voor dit certificaat staan uit.');
    expect(after.text).toContain('id="muted"');
    expect(after.text).toContain('noc@uni.example');
    const audit = await request(t.server)
      .get(`/api/v1/certificates/${cert.id}/reminder-settings`)
      .set('Authorization', `Bearer ${rao.token}`);
    expect(audit.body).toMatchObject({ muted: true, extraAddresses: ['noc@uni.example'] });
    // A bad address: the page again, with the problem and what was typed.
    const bad = await agent
      .post(`/expiries/certificates/${cert.id}`)
      .type('form')
      .send({
        _csrf: csrfFrom(after.text),
        muted: 'on',
        extraAddresses: 'noc@uni.example, not-an-address',
      });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('not-an-address');
    expect(bad.text).toContain('govuk-error-summary');
  });

  it('a requester sees the log but neither the import page nor the mute switch', async () => {
    const agent = agentFor(t);
    await login(agent, 'req@uni.example', 'requester-long-password-1');
    expect((await agent.get('/certificates').expect(200)).text).not.toContain(
      'href="/certificates/import"',
    );
    await agent.get('/certificates/import').expect(404);
    const cert = await t
      .get(Transactions)
      .manager.findOneByOrFail(Certificate, { mainName: 'valid.uni.example' });
    const page = await agent.get(`/expiries/certificates/${cert.id}`).expect(200);
    expect(page.text).toContain('reminder-log');
    expect(page.text).not.toContain('name="muted"');
    const post = await agent
      .post(`/expiries/certificates/${cert.id}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), muted: '' });
    expect(post.status).toBe(403);
  });
});
