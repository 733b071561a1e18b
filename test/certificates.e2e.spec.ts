import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { execFileSync } from 'node:child_process';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import request from 'supertest';
import { AuditService } from '../src/audit/audit.service.js';
import type { Principal } from '../src/accounts/principal.js';
import type { Certificate } from '../src/certificates/certificate.entity.js';
import { CertificatesService } from '../src/certificates/certificates.service.js';
import { Transactions } from '../src/database/transactions.js';
import { buildCsr, keyFor, toPem } from './fixtures/csr/csr-builder.js';
import { seedCertificate } from './support/certificate-seed.js';
import { Directory } from './support/directory.js';
import { DAY } from './support/fake-clock.js';
import { agentFor, login } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestPki, generateKeys, type TestPki } from './support/test-pki.js';

const OPENSSL = existsSync('/usr/bin/openssl') ? '/usr/bin/openssl' : null;
const NOW = new Date('2026-06-01T09:00:00Z');

interface Item {
  id: number;
  mainName: string;
  notAfter: string;
  state: string;
  serial: string;
  fingerprintSha256: string;
}
interface ListBody {
  items: Item[];
  next: string | null;
  prev: string | null;
  total: number;
  totalCapped: boolean;
}

describe('certificates', () => {
  let t: TestApp;
  let dir: Directory;
  let pki: TestPki;
  let d1: number;
  let d2: number;
  let orgId: number;
  let foreignDept: number;
  let requester: { token: string };
  let requesterD2: { token: string };
  let rao: { token: string };
  let foreignRao: { token: string };
  let issued: Certificate;
  let issuedDer: Uint8Array;
  let requestId: number;
  // Every certificate of department 1, as seeded.
  const inD1: Certificate[] = [];
  let inD2: Certificate;
  let foreign: Certificate;

  const api = (token: string, path: string) =>
    request(t.server).get(`/api/v1${path}`).set('Authorization', `Bearer ${token}`);
  const list = async (token: string, query = ''): Promise<ListBody> => {
    const res = await api(token, `/certificates${query}`);
    expect(res.status).toBe(200);
    return res.body as ListBody;
  };

  beforeAll(async () => {
    t = await createTestApp();
    pki = await createTestPki();
    dir = await new Directory(t).init();
    const nren = await dir.nren('SUNET');
    const org = await dir.organisation(nren.id, 'Exempeluniversitetet');
    orgId = org.id;
    await dir.api('patch', `/organisations/${org.id}`, {
      version: org.version,
      allowedProducts: ['OV_MULTI'],
    });
    d1 = (await dir.department(org.id, 'Fysik')).id;
    d2 = (await dir.department(org.id, 'Kemi')).id;
    const domain = await dir.domain(org.id, 'uni.example.org');
    await dir.api('post', `/domains/${domain.id}/manual-validation`, {
      version: domain.version,
      note: 'test fixture',
    });
    const v = (await dir.api('get', `/domains/${domain.id}`)).body.version;
    await dir.api('patch', `/domains/${domain.id}`, { version: v, departmentIds: [d1] });
    const otherNren = await dir.nren('GARR');
    const otherOrg = await dir.organisation(otherNren.id, 'Università');
    foreignDept = (await dir.department(otherOrg.id, 'Fisica')).id;
    requester = await dir.person('req@uni.example.org', 'requester', d1);
    requesterD2 = await dir.person('req2@uni.example.org', 'requester', d2);
    rao = await dir.person('rao@uni.example.org', 'rao', org.id);
    foreignRao = await dir.person('rao@uni.example.it', 'rao', otherOrg.id);

    // A request made the ordinary way, and the certificate the CA would issue for it.
    const key = await keyFor({ type: 'rsa', bits: 2048 });
    const names = ['www.uni.example.org', 'uni.example.org'];
    const csr = toPem(
      buildCsr({
        key,
        subject: [['CN', names[0]]],
        san: names.map((value) => ({ type: 'dns' as const, value })),
      }),
    );
    const submitted = await request(t.server)
      .post('/api/v1/requests')
      .set('Authorization', `Bearer ${requester.token}`)
      .send({ departmentId: d1, product: 'OV_MULTI', csr });
    expect(submitted.status).toBe(201);
    requestId = submitted.body.id;
    const spki = new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
    issuedDer = await pki.issue({ publicKey: spki, names, notBefore: NOW, days: 199 });
    issued = await t.get(Transactions).run((em) =>
      t.get(CertificatesService).storeIssued(em, {
        requestId,
        leafDer: issuedDer,
        chainDer: [pki.intermediate.der, pki.root.der],
      }),
    );
    inD1.push(issued);
    // 29 more in department 1, expiring one day apart, some on the same day (ties on not_after).
    for (let i = 0; i < 29; i++) {
      inD1.push(
        await seedCertificate(
          t,
          pki,
          d1,
          [`host${i}.uni.example.org`],
          NOW,
          10 + Math.floor(i / 2),
        ),
      );
    }
    inD2 = await seedCertificate(t, pki, d2, ['lab.kemi.example.org'], NOW, 50);
    foreign = await seedCertificate(t, pki, foreignDept, ['www.uni.example.it'], NOW, 50);
  }, 120_000);
  afterAll(() => t?.close());

  describe('the store', () => {
    it('keeps what the certificate says and the request it answers', async () => {
      const res = await api(requester.token, `/certificates/${issued.id}`);
      expect(res.status).toBe(200);
      const leaf = new X509Certificate(issuedDer);
      expect(res.body).toMatchObject({
        state: 'valid',
        source: 'ordered',
        requestId,
        mainName: 'www.uni.example.org',
        names: ['www.uni.example.org', 'uni.example.org'],
        keyType: 'RSA',
        keyBits: 2048,
        signatureAlgorithm: 'ecdsa-with-SHA256',
        serial: leaf.serialNumber.toLowerCase().replace(/^0+/, ''),
        fingerprintSha256: leaf.fingerprint256.replace(/:/g, '').toLowerCase(),
        notBefore: NOW.toISOString(),
        organisation: { id: orgId },
        department: { id: d1 },
      });
    });

    it('stores the same certificate for the same request once, and refuses it for another', async () => {
      const service = t.get(CertificatesService);
      const again = await t
        .get(Transactions)
        .run((em) => service.storeIssued(em, { requestId, leafDer: issuedDer, chainDer: [] }));
      expect(again.id).toBe(issued.id);
      await expect(
        t.get(Transactions).run((em) =>
          service.storeImported(
            em,
            { departmentId: d1, leafDer: issuedDer, chainDer: [] },
            {
              id: null,
              label: 'test',
            },
          ),
        ),
      ).rejects.toMatchObject({ code: 'certificate_exists' });
      await expect(
        t
          .get(Transactions)
          .run((em) =>
            service.storeIssued(em, { requestId, leafDer: Buffer.from('garbage'), chainDer: [] }),
          ),
      ).rejects.toMatchObject({ code: 'certificate_unreadable' });
    });
  });

  describe('downloads', () => {
    const fp = (der: Uint8Array | Buffer) => new X509Certificate(der).fingerprint256;
    const pemBlocks = (text: string) =>
      (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
        (b) => new X509Certificate(b).fingerprint256,
      );
    const get = (format: string) =>
      api(requester.token, `/certificates/${issued.id}/${format}`)
        .buffer(true)
        .parse((res, cb) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => cb(null, Buffer.concat(chunks)));
        });

    it('gives the certificate as PEM', async () => {
      const res = await get('pem');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/x-pem-file/);
      expect(res.headers['content-disposition']).toBe(
        'attachment; filename="www_uni_example_org.pem"',
      );
      expect(pemBlocks((res.body as Buffer).toString())).toEqual([fp(issuedDer)]);
    });

    it('gives the intermediates without the root, and the full chain', async () => {
      const chain = await get('chain');
      expect(chain.headers['content-disposition']).toContain('www_uni_example_org.chain.pem');
      expect(pemBlocks((chain.body as Buffer).toString())).toEqual([fp(pki.intermediate.der)]);
      const full = await get('fullchain');
      expect(full.headers['content-disposition']).toContain('www_uni_example_org.fullchain.pem');
      expect(pemBlocks((full.body as Buffer).toString())).toEqual([
        fp(issuedDer),
        fp(pki.intermediate.der),
      ]);
    });

    it('gives a PKCS#7 bundle that parses, with openssl too', async () => {
      const res = await get('p7b');
      expect(res.headers['content-type']).toMatch(/^application\/x-pkcs7-certificates/);
      expect(res.headers['content-disposition']).toContain('www_uni_example_org.p7b');
      const certs = new x509.X509Certificates(new Uint8Array(res.body as Buffer));
      expect(certs.map((c) => fp(new Uint8Array(c.rawData)))).toEqual([
        fp(issuedDer),
        fp(pki.intermediate.der),
      ]);
      if (OPENSSL) {
        const printed = execFileSync(OPENSSL, ['pkcs7', '-inform', 'DER', '-print_certs'], {
          input: res.body as Buffer,
          encoding: 'utf8',
        });
        expect(pemBlocks(printed)).toEqual([fp(issuedDer), fp(pki.intermediate.der)]);
      }
    });

    it('gives DER as .cer', async () => {
      const res = await get('der');
      expect(res.headers['content-type']).toMatch(/^application\/pkix-cert/);
      expect(res.headers['content-disposition']).toContain('www_uni_example_org.cer');
      expect(fp(res.body as Buffer)).toBe(fp(issuedDer));
      if (OPENSSL) {
        const out = execFileSync(OPENSSL, ['x509', '-inform', 'DER', '-noout', '-subject'], {
          input: res.body as Buffer,
          encoding: 'utf8',
        });
        expect(out).toContain('www.uni.example.org');
      }
    });

    it('answers an unknown format like an unknown certificate', async () => {
      const res = await api(requester.token, `/certificates/${issued.id}/pfx`);
      const unknown = await api(requester.token, `/certificates/987654/pem`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(unknown.body);
    });
  });

  describe('access', () => {
    it('answers a foreign certificate exactly like one that does not exist', async () => {
      for (const path of ['', '/pem', '/p7b']) {
        const foreignRes = await api(foreignRao.token, `/certificates/${issued.id}${path}`);
        const unknown = await api(foreignRao.token, `/certificates/987654${path}`);
        expect(foreignRes.status).toBe(404);
        expect(foreignRes.body).toEqual(unknown.body);
      }
      expect((await api(requesterD2.token, `/certificates/${issued.id}`)).status).toBe(404);
      expect((await api(rao.token, `/certificates/${inD2.id}`)).status).toBe(200);
      expect((await api(dir.admin, `/certificates/${foreign.id}`)).status).toBe(200);
    });

    it('lists only what each person may see', async () => {
      const ids = async (token: string) =>
        (await list(token, '?sort=newest')).items.map((i) => i.id);
      expect(new Set(await ids(requester.token))).toEqual(new Set(inD1.map((c) => c.id)));
      expect(await ids(requesterD2.token)).toEqual([inD2.id]);
      expect(await ids(foreignRao.token)).toEqual([foreign.id]);
      expect((await list(rao.token)).total).toBe(31);
      expect((await list(dir.admin)).total).toBe(32);
    });

    it('answers a scope that is not theirs like one that does not exist', async () => {
      const theirs = await api(foreignRao.token, `/certificates?organisationId=${orgId}`);
      const unknown = await api(foreignRao.token, `/certificates?organisationId=987654`);
      expect(theirs.status).toBe(404);
      expect(theirs.body).toEqual(unknown.body);
      expect((await api(requester.token, `/certificates?departmentId=${d2}`)).status).toBe(404);
      const own = await list(requester.token, `?departmentId=${d1}`);
      expect(own.total).toBe(30);
    });
  });

  describe('the list', () => {
    it('pages by expiry with cursors, each certificate once, in order, and back again', async () => {
      const pages: Item[][] = [];
      let query = `?organisationId=${orgId}`;
      for (;;) {
        const body = await list(rao.token, query);
        pages.push(body.items);
        if (!body.next) {
          break;
        }
        query = `?organisationId=${orgId}&cursor=${body.next}`;
      }
      const all = pages.flat();
      // 100 per API page: one page here; the page size of the HTML list is 25.
      expect(all.map((i) => i.id).sort()).toEqual([...inD1, inD2].map((c) => c.id).sort());
      const keys = all.map((i) => [Date.parse(i.notAfter), i.id] as const);
      const sorted = [...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      expect(keys).toEqual(sorted);
    });

    it('pages the HTML list 25 at a time, forward and back, by expiry and by newest', async () => {
      const agent = agentFor(t);
      await login(agent, 'root@example.org', 'platform-admin-secret');
      const href = (html: string, rel: string) =>
        new RegExp(`<a [^>]*href="([^"]+)" rel="${rel}">`)
          .exec(html)?.[1]
          ?.replace(/&amp;/g, '&')
          .replace(/&#x3D;/g, '=');
      const idsOn = (html: string) =>
        [...html.matchAll(/<a [^>]*href="\/certificates\/(\d+)">/g)].map((m) => Number(m[1]));
      for (const sort of ['expiry', 'newest']) {
        const first = await agent.get(`/certificates?sort=${sort}`).expect(200);
        const next = href(first.text, 'next');
        expect(next).toBeDefined();
        const second = await agent.get(next!).expect(200);
        const seen = [...idsOn(first.text), ...idsOn(second.text)];
        expect(idsOn(first.text)).toHaveLength(25);
        expect(new Set(seen).size).toBe(32);
        expect(second.text).not.toContain('rel="next"');
        const prev = href(second.text, 'prev');
        const back = await agent.get(prev!).expect(200);
        expect(idsOn(back.text)).toEqual(idsOn(first.text));
      }
    });

    it('pages a person with grants of several kinds through all they may see, both ways', async () => {
      // An RAO of the organisation who is also a requester in the foreign department: one
      // query per kind of grant, merged; small pages so the merge crosses page boundaries.
      const mixed: Principal = {
        userId: 999,
        email: 'mixed@example.org',
        displayName: 'mixed',
        language: null,
        grants: [
          { role: 'rao', scopeId: orgId },
          { role: 'requester', scopeId: foreignDept },
          { role: 'requester', scopeId: d1 },
        ],
        via: 'token',
      };
      const service = t.get(CertificatesService);
      for (const sort of ['expiry', 'newest'] as const) {
        const pages: Certificate[][] = [];
        let cursor: string | undefined;
        let last: Awaited<ReturnType<CertificatesService['list']>> | undefined;
        do {
          last = await service.list(mixed, { sort, cursor }, 7);
          pages.push(last.items);
          cursor = last.next ?? undefined;
        } while (cursor);
        const all = pages.flat();
        expect(last.total).toBe(32);
        expect(all.map((c) => c.id).sort((a, b) => a - b)).toEqual(
          [...inD1, inD2, foreign].map((c) => c.id).sort((a, b) => a - b),
        );
        const key = (c: Certificate) =>
          sort === 'expiry' ? [c.notAfter.getTime(), c.id] : [-c.id, 0];
        const keys = all.map(key);
        expect(keys).toEqual([...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
        // And back from the last page to the first, page by page.
        let prev = last.prev;
        for (let i = pages.length - 2; i >= 0; i--) {
          const back = await service.list(mixed, { sort, cursor: prev! }, 7);
          expect(back.items.map((c) => c.id)).toEqual(pages[i].map((c) => c.id));
          prev = back.prev;
        }
        expect(prev).toBeNull();
      }
    });

    it.each([
      ['through the names index', 10_000],
      ['walking the list for a broad name', 0],
    ])('finds certificates by a name and every name below it (%s)', async (_plan, threshold) => {
      const service = t.get(CertificatesService);
      service.broadNameThreshold = threshold;
      try {
        const names = async (q: string) =>
          (await list(rao.token, `?q=${encodeURIComponent(q)}`)).items
            .map((i) => i.mainName)
            .sort();
        expect(await names('host3.uni.example.org')).toEqual(['host3.uni.example.org']);
        expect(await names('uni.example.org')).toHaveLength(30);
        expect(await names('UNI.example.org.')).toHaveLength(30);
        expect(await names('kemi.example.org')).toEqual(['lab.kemi.example.org']);
        // Not a prefix of a label: "ni.example.org" is not a name above uni.example.org.
        expect(await names('ni.example.org')).toEqual([]);
        expect(await names('host%.uni.example.org')).toEqual([]);
        expect(await names('www.uni.example.it')).toEqual([]);
        const page = await list(rao.token, '?q=example.org&sort=newest');
        expect(page.total).toBe(31);
      } finally {
        service.broadNameThreshold = 10_000;
      }
    });

    it('finds a certificate by serial number and by fingerprint, as written anywhere', async () => {
      const leaf = new X509Certificate(issuedDer);
      const colons = leaf.serialNumber.match(/.{2}/g)!.join(':');
      for (const q of [leaf.serialNumber, colons, leaf.serialNumber.toLowerCase()]) {
        const body = await list(requester.token, `?q=${encodeURIComponent(q)}`);
        expect(body.items.map((i) => i.id)).toEqual([issued.id]);
      }
      for (const q of [leaf.fingerprint256, leaf.fingerprint256.replace(/:/g, '').toLowerCase()]) {
        const body = await list(requester.token, `?q=${encodeURIComponent(q)}`);
        expect(body.items.map((i) => i.id)).toEqual([issued.id]);
      }
    });

    it('filters by expiry window and by state, expired following the clock', async () => {
      // Seeded: 10..24 days from NOW for the hosts, 199 for the issued one, 50 for the lab.
      const soon = await list(rao.token, '?within=11');
      expect(soon.items.map((i) => i.mainName).sort()).toEqual([
        'host0.uni.example.org',
        'host1.uni.example.org',
        'host2.uni.example.org',
        'host3.uni.example.org',
      ]);
      const window = await list(rao.token, '?expiresAfter=2026-07-01&expiresBefore=2026-12-31');
      expect(window.items.map((i) => i.mainName).sort()).toEqual([
        'lab.kemi.example.org',
        'www.uni.example.org',
      ]);
      t.clock.set(new Date(NOW.getTime() + 15 * DAY));
      try {
        const expired = await list(rao.token, '?state=expired');
        expect(expired.total).toBe(12);
        expect(expired.items.every((i) => i.state === 'expired')).toBe(true);
        expect((await list(rao.token, '?state=valid')).total).toBe(19);
        const detail = await api(rao.token, `/certificates/${inD1[1].id}`);
        expect(detail.body.state).toBe('expired');
      } finally {
        t.clock.set(NOW);
      }
    });

    it('marks the certificate a replacement replaces as superseded', async () => {
      // Replacement: the same request, a new key, a new certificate.
      const replacement = await pki.issue({
        publicKey: (await generateKeys()).publicKey,
        names: ['www.uni.example.org', 'uni.example.org'],
        notBefore: NOW,
        days: 199,
      });
      const stored = await t.get(Transactions).run((em) =>
        t.get(CertificatesService).storeIssued(em, {
          requestId,
          leafDer: replacement,
          chainDer: [pki.intermediate.der],
          replacesId: issued.id,
        }),
      );
      expect((await api(requester.token, `/certificates/${issued.id}`)).body).toMatchObject({
        state: 'superseded',
        replacedBy: [stored.id],
        version: issued.version + 1,
      });
      expect((await api(requester.token, `/certificates/${stored.id}`)).body).toMatchObject({
        state: 'valid',
        replacesId: issued.id,
        requestId,
      });
      const superseded = await list(rao.token, '?state=superseded');
      expect(superseded.items.map((i) => i.id)).toEqual([issued.id]);
      const history = await t.get(AuditService).history('certificate', issued.id);
      expect(history.map((e) => e.action)).toEqual([
        'certificate.superseded',
        'certificate.stored',
      ]);
    });

    it('refuses malformed filters by field', async () => {
      const res = await api(rao.token, '/certificates?state=lost&expiresBefore=tomorrow');
      expect(res.status).toBe(422);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'expiresBefore',
        'state',
      ]);
      expect((await api(rao.token, '/certificates?cursor=bm9wZQ')).status).toBe(422);
    });
  });

  describe('pages', () => {
    it('show the certificate with its downloads and the guide, in French', async () => {
      const agent = agentFor(t);
      await login(agent, 'root@example.org', 'platform-admin-secret');
      const page = await agent.get(`/certificates/${issued.id}?lang=fr`).expect(200);
      expect(page.text).toContain('Quel fichier pour mon serveur\u202f?');
      expect(page.text).toContain(`href="/requests/${requestId}"`);
      for (const f of ['pem', 'chain', 'fullchain', 'p7b', 'der']) {
        expect(page.text).toContain(`href="/certificates/${issued.id}/${f}"`);
      }
      const file = await agent.get(`/certificates/${issued.id}/fullchain`).expect(200);
      expect(file.headers['content-disposition']).toContain('www_uni_example_org.fullchain.pem');
      const listPage = await agent.get('/certificates?q=uni.example.org&lang=de').expect(200);
      expect(listPage.text).toContain('Zertifikate');
      expect(listPage.text).toContain('host0.uni.example.org');
      const orgPage = await agent.get(`/organisations/${orgId}?lang=en`).expect(200);
      expect(orgPage.text).toContain(`href="/certificates?organisationId=${orgId}"`);
      const scoped = await agent.get(`/certificates?organisationId=${orgId}&lang=en`).expect(200);
      expect(scoped.text).toContain('Showing the certificates of Exempeluniversitetet.');
      const bad = await agent.get('/certificates?expiresAfter=31.12.2026&lang=en').expect(422);
      expect(bad.text).toContain('Enter a date as YYYY-MM-DD');
    });
  });
});
