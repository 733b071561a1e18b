import { readFileSync } from 'node:fs';
import request from 'supertest';
import { KeysService } from '../src/keys/keys.service.js';
import { buildCsr, keyFor, toPem, type CsrSpec } from './fixtures/csr/csr-builder.js';
import { Directory } from './support/directory.js';
import { agentFor, csrfFrom, login } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';

async function csr(
  names: string[],
  opts: Partial<CsrSpec> & { bits?: number } = {},
): Promise<string> {
  const key = opts.key ?? (await keyFor({ type: 'rsa', bits: opts.bits ?? 2048 }));
  return toPem(
    buildCsr({
      key,
      subject: [['CN', names[0]]],
      san: names.map((value) => ({ type: 'dns', value })),
      ...opts,
    }),
  );
}

describe('certificate requests', () => {
  let t: TestApp;
  let dir: Directory;
  let deptId: number;
  let otherDeptId: number;
  let orgId: number;
  let requester: { id: number; token: string };
  let rao: { id: number; token: string };

  beforeAll(async () => {
    t = await createTestApp({
      env: { DEBIAN_WEAK_KEYS_FILES: 'test/fixtures/csr/debian-blocklist-sample.txt' },
    });
    dir = await new Directory(t).init();
    const nren = await dir.nren('GARR');
    await dir.api('patch', `/nrens/${nren.id}`, {
      version: nren.version,
      codeSigningEvidenceRequired: true,
    });
    const org = await dir.organisation(nren.id, 'Università di Esempio');
    orgId = org.id;
    await dir.api('patch', `/organisations/${org.id}`, {
      version: org.version,
      allowedProducts: ['OV_SSL', 'OV_MULTI', 'WILDCARD_SSL', 'CODE_SIGNING'],
    });
    deptId = (await dir.department(org.id, 'Fisica')).id;
    otherDeptId = (await dir.department(org.id, 'Chimica')).id;
    for (const [name, delegate, validate, wildcards] of [
      ['uni.example.org', true, true, true],
      ['chem.example.org', false, true, false],
      ['pending.example.org', true, false, false],
    ] as const) {
      const d = await dir.domain(org.id, name, wildcards);
      if (validate) {
        await dir.api('post', `/domains/${d.id}/manual-validation`, {
          version: d.version,
          note: 'test fixture',
        });
      }
      if (delegate) {
        const v = (await dir.api('get', `/domains/${d.id}`)).body.version;
        await dir.api('patch', `/domains/${d.id}`, { version: v, departmentIds: [deptId] });
      }
    }
    requester = await dir.person('mario@uni.example.org', 'requester', deptId);
    rao = await dir.person('rao@uni.example.org', 'rao', org.id);
  }, 60_000);
  afterAll(() => t.close());

  const check = (body: object, token = requester.token, lang = 'en') =>
    request(t.server)
      .post('/api/v1/csr/check')
      .set('Authorization', `Bearer ${token}`)
      .set('Accept-Language', lang)
      .send(body);

  it('lists the product catalogue', async () => {
    const res = await dir.api('get', '/products');
    expect(res.body.map((p: { code: string }) => p.code)).toEqual(
      expect.arrayContaining([
        'OV_SSL',
        'OV_MULTI',
        'WILDCARD_SSL',
        'EV_SSL',
        'IGTF_MULTI',
        'CODE_SIGNING',
        'EV_CODE_SIGNING',
      ]),
    );
    expect(res.body.find((p: { code: string }) => p.code === 'CODE_SIGNING')).toMatchObject({
      kind: 'code-signing',
    });
  });

  it('accepts a good CSR and previews what the CA will be asked for', async () => {
    const res = await check({
      departmentId: deptId,
      product: 'OV_MULTI',
      csr: await csr(['www.uni.example.org', 'uni.example.org']),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      ok: true,
      errors: [],
      parsed: {
        names: ['www.uni.example.org', 'uni.example.org'],
        keyType: 'RSA',
        keyBits: 2048,
        // 2026-06-01: the limit is 200 days (BR 6.3.2 from 2026-03-15); one day less.
        validityDays: 199,
      },
    });
  });

  it.each([
    [
      'a name under a domain not delegated to the department',
      ['www.chem.example.org'],
      'DOMAIN_NOT_DELEGATED',
    ],
    [
      'a name under a domain not yet validated',
      ['www.pending.example.org'],
      'DOMAIN_NOT_VALIDATED',
    ],
    ['a name the organisation does not hold', ['www.elsewhere.example.net'], 'DOMAIN_NOT_FOUND'],
    ['an internal name', ['intranet.local'], 'NAME_INTERNAL'],
  ])('refuses %s', async (_what, names, code) => {
    const res = await check({ departmentId: deptId, product: 'OV_MULTI', csr: await csr(names) });
    expect(res.body.ok).toBe(false);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ code, field: 'names', name: names[0] })]),
    );
  });

  it('refuses a weak key and a SHA-1 signature, saying so in French', async () => {
    const weak = await check(
      {
        departmentId: deptId,
        product: 'OV_SSL',
        csr: await csr(['www.uni.example.org'], { bits: 1024 }),
      },
      requester.token,
      'fr',
    );
    expect(weak.body.errors[0]).toMatchObject({ code: 'KEY_TOO_SMALL', field: 'csr' });
    expect(weak.body.errors[0].message).toMatch(/2048/);
    expect(weak.body.errors[0].message).not.toMatch(/ bits? (is|are) /);
    const sha1 = await check({
      departmentId: deptId,
      product: 'OV_SSL',
      csr: await csr(['www.uni.example.org'], { signature: 'sha1' }),
    });
    expect(sha1.body.errors.map((e: { code: string }) => e.code)).toContain('SIG_ALG_NOT_ALLOWED');
  });

  it('refuses wildcards for a product without them, and accepts them where product and domain allow', async () => {
    const names = ['*.uni.example.org'];
    const ov = await check({ departmentId: deptId, product: 'OV_SSL', csr: await csr(names) });
    expect(ov.body.errors.map((e: { code: string }) => e.code)).toContain(
      'WILDCARD_NOT_ALLOWED_BY_PRODUCT',
    );
    const wildcard = await check({
      departmentId: deptId,
      product: 'WILDCARD_SSL',
      csr: await csr(names),
    });
    expect(wildcard.body).toMatchObject({ ok: true });
  });

  it('refuses a product the organisation may not order, garbage, and an oversize CSR', async () => {
    const ev = await check({
      departmentId: deptId,
      product: 'EV_SSL',
      csr: await csr(['www.uni.example.org']),
    });
    expect(ev.body.errors).toEqual([
      expect.objectContaining({ code: 'product_not_allowed', field: 'product' }),
    ]);
    const garbage = await check({
      departmentId: deptId,
      product: 'OV_SSL',
      csr: 'hello, I am not a CSR',
    });
    expect(garbage.body.errors).toEqual([
      expect.objectContaining({ field: 'csr', code: expect.stringMatching(/^CSR_/) }),
    ]);
    const huge = await check({
      departmentId: deptId,
      product: 'OV_SSL',
      csr: 'A'.repeat(70 * 1024),
    });
    expect(huge.body.errors).toEqual([expect.objectContaining({ code: 'CSR_TOO_LARGE' })]);
  });

  it('refuses a Debian weak key from the configured blocklist', async () => {
    const pem = readFileSync('test/fixtures/csr/debian-sample-1.csr.pem', 'utf8');
    const res = await check({ departmentId: deptId, product: 'OV_SSL', csr: pem });
    expect(res.body.errors.map((e: { code: string }) => e.code)).toContain('KEY_DEBIAN_WEAK');
  });

  it('submits a request for approval; the RAO sees it, another organisation does not', async () => {
    const key = await keyFor({ type: 'ec', curve: 'P-256' });
    const res = await request(t.server)
      .post('/api/v1/requests')
      .set('Authorization', `Bearer ${requester.token}`)
      .send({
        departmentId: deptId,
        product: 'OV_SSL',
        csr: await csr(['uni.example.org'], { key }),
        comment: 'web server',
      })
      .expect(201);
    expect(res.body).toMatchObject({
      status: 'submitted',
      actions: ['cancel'],
      names: ['uni.example.org'],
      keyType: 'ECDSA',
      validityDays: 199,
      comment: 'web server',
    });
    const byRao = await dir.api('get', `/requests?organisationId=${orgId}`, undefined, rao.token);
    expect(byRao.body.items.map((r: { id: number }) => r.id)).toContain(res.body.id);

    const stranger = await dir.person(
      'rao@other.example',
      'rao',
      (await dir.organisation((await dir.nren('Other')).id, 'Other U')).id,
    );
    await dir
      .api('get', `/requests/${res.body.id}`, undefined, stranger.token)
      .then((r) => expect(r.status).toBe(404));

    // The same key again: a warning within the organisation, a refusal elsewhere.
    const again = await check({
      departmentId: deptId,
      product: 'OV_SSL',
      csr: await csr(['www.uni.example.org'], { key }),
    });
    expect(again.body).toMatchObject({
      ok: true,
      warnings: [expect.objectContaining({ code: 'KEY_REUSED' })],
    });
    const otherOrg = (await dir.api('get', '/organisations?q=Other U')).body.items[0];
    const otherDept = await dir.department(otherOrg.id, 'IT');
    const foreign = await dir.person('it@other.example', 'requester', otherDept.id);
    const elsewhere = await check(
      {
        departmentId: otherDept.id,
        product: 'OV_SSL',
        csr: await csr(['www.other.example.net'], { key }),
      },
      foreign.token,
    );
    expect(elsewhere.body.errors.map((e: { code: string }) => e.code)).toContain(
      'KEY_USED_BY_OTHER_ORGANISATION',
    );

    const cancelled = await request(t.server)
      .post(`/api/v1/requests/${res.body.id}/cancel`)
      .set('Authorization', `Bearer ${requester.token}`)
      .send({ version: res.body.version })
      .expect(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', actions: [] });
    const twice = await request(t.server)
      .post(`/api/v1/requests/${res.body.id}/cancel`)
      .set('Authorization', `Bearer ${requester.token}`)
      .send({ version: cancelled.body.version });
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'request_already_cancelled' });
  });

  it('refuses a key that was blocked as compromised', async () => {
    const key = await keyFor({ type: 'ec', curve: 'P-384' });
    const pem = await csr(['www.uni.example.org'], { key });
    const first = await check({ departmentId: deptId, product: 'OV_SSL', csr: pem });
    await t
      .get(KeysService)
      .block(first.body.parsed.spkiSha256, 'key-compromise', 'reported by owner', {
        id: null,
        label: 'test',
      });
    const res = await check({ departmentId: deptId, product: 'OV_SSL', csr: pem });
    expect(res.body.errors.map((e: { code: string }) => e.code)).toContain('KEY_COMPROMISED');
  });

  it('refuses a request for a department the person is not in, as if it did not exist', async () => {
    const res = await check({
      departmentId: otherDeptId,
      product: 'OV_SSL',
      csr: await csr(['www.uni.example.org']),
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'departmentId' })]);
  });

  it('applies the validity limit of the day of issuance', async () => {
    t.clock.set('2027-03-15T00:00:00Z');
    try {
      const pem = await csr(['www.uni.example.org']);
      // The domain validation from 2026-06-01 has stopped counting by then (100 days from 2027-03-15).
      const res = await check({
        departmentId: deptId,
        product: 'OV_SSL',
        csr: pem,
        validityDays: 150,
      });
      expect(res.body.errors.map((e: { code: string }) => e.code)).toEqual(
        expect.arrayContaining(['VALIDITY_TOO_LONG', 'DOMAIN_VALIDATION_EXPIRED']),
      );
      const dflt = await check({ departmentId: deptId, product: 'OV_SSL', csr: pem });
      expect(dflt.body.parsed.validityDays).toBe(99);
    } finally {
      t.clock.set('2026-06-01T09:00:00Z');
    }
  });

  it('records how a code-signing key is protected and keeps the evidence', async () => {
    const key = await keyFor({ type: 'rsa', bits: 3072 });
    const pem = toPem(
      buildCsr({
        key,
        subject: [
          ['CN', 'Università di Esempio'],
          ['O', 'Università di Esempio'],
        ],
      }),
    );
    const missing = await check({
      departmentId: deptId,
      product: 'CODE_SIGNING',
      csr: pem,
      keyProtection: 'key-attestation',
    });
    expect(missing.body.errors.map((e: { code: string }) => e.code)).toEqual([
      'CODE_SIGNING_EVIDENCE_MISSING',
    ]);
    const attestation = Buffer.from(
      '-----BEGIN CERTIFICATE-----\nattestation\n-----END CERTIFICATE-----\n',
    );
    const res = await request(t.server)
      .post('/api/v1/requests')
      .set('Authorization', `Bearer ${requester.token}`)
      .send({
        departmentId: deptId,
        product: 'CODE_SIGNING',
        csr: pem,
        keyProtection: 'key-attestation',
        evidence: { name: 'attestation.pem', data: attestation.toString('base64') },
      })
      .expect(201);
    expect(res.body).toMatchObject({
      keyProtection: 'key-attestation',
      evidenceName: 'attestation.pem',
      validityDays: 459,
    });
    expect(res.body.evidenceSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  describe('in the browser form', () => {
    it('checks a pasted CSR, previews it, and submits it', async () => {
      const agent = agentFor(t);
      const user = await dir.person('anna@uni.example.org', 'requester', deptId);
      const { AccountsService } = await import('../src/accounts/accounts.service.js');
      const { User } = await import('../src/accounts/user.entity.js');
      const { Transactions } = await import('../src/database/transactions.js');
      const argon2 = await import('argon2');
      await t
        .get(Transactions)
        .manager.update(
          User,
          { id: user.id },
          { passwordHash: await argon2.hash('anna-long-password', { type: argon2.argon2id }) },
        );
      expect(t.get(AccountsService)).toBeDefined();
      await login(agent, 'anna@uni.example.org', 'anna-long-password');
      let page = await agent.get('/requests/new').expect(200);
      const pem = await csr(['mail.uni.example.org']);
      const bad = await agent
        .post('/requests/check')
        .field('_csrf', csrfFrom(page.text))
        .field('departmentId', String(deptId))
        .field('product', 'OV_SSL')
        .field('csr', await csr(['mail.chem.example.org']))
        .field('comment', 'keep me')
        .expect(200);
      expect(bad.text).toContain('mail.chem.example.org');
      expect(bad.text).toContain('keep me');
      expect(bad.text).toContain('DOMAIN_NOT_DELEGATED');

      page = await agent.get('/requests/new');
      const preview = await agent
        .post('/requests/check')
        .field('_csrf', csrfFrom(page.text))
        .field('departmentId', String(deptId))
        .field('product', 'OV_SSL')
        .attach('csrFile', Buffer.from(pem), 'server.csr')
        .expect(200);
      expect(preview.text).toContain('Check your request');
      expect(preview.text).toContain('mail.uni.example.org');
      expect(preview.text).toContain('2048 bits');
      expect(preview.text).toContain('199 days');
      const done = await agent
        .post('/requests')
        .field('_csrf', csrfFrom(preview.text))
        .field('departmentId', String(deptId))
        .field('product', 'OV_SSL')
        .field(
          'csr',
          /name="csr" value="([^"]+)"/
            .exec(preview.text)![1]
            .replace(/&#x3D;/g, '=')
            .replace(/&#x2F;/g, '/'),
        )
        .expect(303);
      const shown = await agent.get(done.headers.location).expect(200);
      expect(shown.text).toContain('Awaiting approval');
    });

    it('refuses an upload over 64 KiB at once', async () => {
      const agent = agentFor(t);
      await login(agent, 'anna@uni.example.org', 'anna-long-password');
      const page = await agent.get('/requests/new');
      const res = await agent
        .post('/requests/check')
        .field('_csrf', csrfFrom(page.text))
        .attach('csrFile', Buffer.alloc(65 * 1024, 65), 'huge.csr');
      expect(res.status).toBe(413);
      expect(res.text).toContain('64 KiB');
    });
  });
});
