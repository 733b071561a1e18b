import * as argon2 from 'argon2';
import { User } from '../src/accounts/user.entity.js';
import { Transactions } from '../src/database/transactions.js';
import { buildCsr, keyFor, toPem } from './fixtures/csr/csr-builder.js';
import { Directory } from './support/directory.js';
import { agentFor, csrfFrom, login, type Agent } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// What a new user ran into (issue 12), page by page.
describe('what a new user hit', () => {
  let t: TestApp;
  let dir: Directory;
  let admin: Agent;
  let nren: { id: number; version: number };

  beforeAll(async () => {
    t = await createTestApp();
    dir = await new Directory(t).init();
    nren = await dir.nren('SUNET');
    // SUNET speaks Swedish to its people.
    const got = (await dir.api('get', `/nrens/${nren.id}`)).body;
    await dir.api('patch', `/nrens/${nren.id}`, { ...got, defaultLanguage: 'sv' });
    await t
      .get(Transactions)
      .manager.update(
        User,
        { email: 'root@example.org' },
        { passwordHash: await argon2.hash('platform-admin-secret', { type: argon2.argon2id }) },
      );
    admin = agentFor(t);
    await login(admin, 'root@example.org', 'platform-admin-secret');
  });
  afterAll(async () => {
    await t.close();
  });

  async function lastMailTo(address: string) {
    const res = await dir.api('get', `/outbox?to=${encodeURIComponent(address)}`);
    return res.body.items[0] as { subject: string; text: string; language: string };
  }

  function linkIn(text: string, path: string): string {
    const match = new RegExp(`https?://[^\\s]+(${path.replace('?', '\\?')}[^\\s]+)`).exec(text);
    if (!match) {
      throw new Error(`no ${path} link in: ${text}`);
    }
    return match[1];
  }

  it('refuses product codes that are not in the catalogue and shows the NREN product ids', async () => {
    const org = await dir.organisation(nren.id, 'Lunds exempel');
    const bad = await dir.api('patch', `/organisations/${org.id}`, {
      version: org.version,
      allowedProducts: ['OV_SSL', 'FOO_BAR'],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([
      expect.objectContaining({ field: 'allowedProducts', code: 'product_not_in_catalogue' }),
    ]);
    expect(bad.body.errors[0].message).toContain('FOO_BAR');

    // The form offers the catalogue as a checklist, ticked where allowed.
    const form = await admin.get(`/organisations/${org.id}/edit`).expect(200);
    expect(form.text).toMatch(/name="allowedProducts" type="checkbox" value="OV_SSL" checked/);
    expect(form.text).toMatch(/name="allowedProducts" type="checkbox" value="EV_SSL">/);

    const current = (await dir.api('get', `/nrens/${nren.id}`)).body;
    const badIds = await dir.api('patch', `/nrens/${nren.id}`, {
      ...current,
      caProductIds: { FOO_BAR: 12 },
    });
    expect(badIds.status).toBe(422);
    expect(badIds.body.errors[0]).toMatchObject({
      field: 'caProductIds',
      code: 'product_not_in_catalogue',
    });
    const ok = await dir.api('patch', `/nrens/${nren.id}`, {
      ...current,
      caProductIds: { EV_SSL: 4711 },
    });
    expect(ok.status).toBe(200);
    const page = await admin.get(`/nrens/${nren.id}?lang=en`).expect(200);
    expect(page.text).toContain('EV SSL (<code>EV_SSL</code>): <code>4711</code>');
  });

  it('shows in the product list the validity a request gets today', async () => {
    t.clock.set('2026-06-01T09:00:00Z');
    const today = await admin.get('/products?lang=en').expect(200);
    const ovRow = /<code>OV_SSL<\/code>[\s\S]*?<\/tr>/.exec(today.text)![0];
    expect(ovRow).toContain('199 days');
    expect(ovRow).toContain('limit today 200 days');
    expect(ovRow).toContain('>199 days<br>');
    t.clock.set('2027-04-01T09:00:00Z');
    // A session of its own: the admin's would have run out by then.
    const agent = agentFor(t);
    await login(agent, 'root@example.org', 'platform-admin-secret');
    const later = await agent.get('/products?lang=en').expect(200);
    expect(/<code>OV_SSL<\/code>[\s\S]*?<\/tr>/.exec(later.text)![0]).toContain('99 days');
    t.clock.set('2026-06-01T09:00:00Z');
  });

  it('refuses an OV request while the organisation identity is not validated, naming who can', async () => {
    const org = await dir.organisation(nren.id, 'Ovaliderade högskolan', false);
    const dept = await dir.department(org.id, 'Fysik');
    const requester = await dir.person('per@ovaliderade.example.org', 'requester', dept.id);
    const key = await keyFor({ type: 'ec', curve: 'P-256' });
    const csr = toPem(
      buildCsr({
        key,
        subject: [['CN', 'www.ovaliderade.example.org']],
        san: [{ type: 'dns', value: 'www.ovaliderade.example.org' }],
      }),
    );
    const res = await dir.api(
      'post',
      '/csr/check',
      { departmentId: dept.id, product: 'OV_SSL', csr },
      requester.token,
    );
    expect(res.body.ok).toBe(false);
    const refusal = res.body.errors.find(
      (e: { code: string }) => e.code === 'organisation_identity_not_current',
    );
    expect(refusal.message).toContain('SUNET');
    expect(refusal.message).toContain('ops@sunet.example');
  });

  it('asks the invitation form for the place and sends in the NREN language by default', async () => {
    const org = await dir.organisation(nren.id, 'Umeå exempel');
    const start = await admin.get('/invitations/new?lang=en').expect(200);
    expect(start.text).toContain('name="role" type="radio" value="rao"');
    const form = await admin.get('/invitations/new?role=rao&lang=en').expect(200);
    expect(form.text).toContain(`<option value="${org.id}" >Umeå exempel</option>`);
    await admin
      .post('/invitations')
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        role: 'rao',
        scopeId: org.id,
        email: 'new.rao@umea.example.org',
        language: '',
        back: '/',
      })
      .expect(303);
    const mail = await lastMailTo('new.rao@umea.example.org');
    expect(mail.language).toBe('sv');
    // The acceptance page says for which place.
    const accept = await agentFor(t)
      .get(`${linkIn(mail.text, '/invitations/accept/')}?lang=en`)
      .expect(200);
    expect(accept.text).toMatch(
      /invited as [^<]+ for Umeå exempel, with the address new\.rao@umea\.example\.org/,
    );
  });

  it('resends and withdraws invitations, and removes roles, from the people lists', async () => {
    const org = await dir.organisation(nren.id, 'Göteborgs exempel');
    const page = await admin.get(`/organisations/${org.id}`).expect(200);
    await admin
      .post('/invitations')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        roleScope: `rao:${org.id}`,
        email: 'twice@goteborg.example.org',
        back: `/organisations/${org.id}`,
      })
      .expect(303);
    const first = linkIn(
      (await lastMailTo('twice@goteborg.example.org')).text,
      '/invitations/accept/',
    );
    const listed = await admin.get(`/organisations/${org.id}`).expect(200);
    const id = /action="\/invitations\/(\d+)\/resend"/.exec(listed.text)![1];
    await admin
      .post(`/invitations/${id}/resend`)
      .type('form')
      .send({ _csrf: csrfFrom(listed.text), back: `/organisations/${org.id}` })
      .expect(303);
    const second = linkIn(
      (await lastMailTo('twice@goteborg.example.org')).text,
      '/invitations/accept/',
    );
    expect(second).not.toBe(first);
    await agentFor(t).get(first).expect(404);
    await agentFor(t).get(second).expect(200);
    await admin
      .post(`/invitations/${id}/withdraw`)
      .type('form')
      .send({ _csrf: csrfFrom(listed.text), back: `/organisations/${org.id}` })
      .expect(303);
    // The withdrawn link says so, in the reader's language, and nothing about whom or where.
    const gone = await agentFor(t).get(`${second}?lang=fr`).expect(404);
    expect(gone.text).toContain('Cette invitation a été retirée par la personne qui l’a envoyée');
    expect(gone.text).not.toContain('twice@goteborg.example.org');
    expect(gone.text).not.toContain('Göteborgs exempel');
    const goneEn = await agentFor(t).get(second).expect(404);
    expect(goneEn.text).toContain('This invitation was withdrawn');
    expect(goneEn.text).not.toContain('not valid');
    // An older, replaced link is still simply unknown; the withdrawn one is off the lists.
    expect((await agentFor(t).get(first).expect(404)).text).toContain('not valid');
    expect((await admin.get(`/organisations/${org.id}`).expect(200)).text).not.toContain(
      `/invitations/${id}/resend`,
    );
    await admin
      .post(`/invitations/${id}/resend`)
      .type('form')
      .send({ _csrf: csrfFrom(listed.text), back: `/organisations/${org.id}` })
      .expect(404);

    const dept = await dir.department(org.id, 'Kemi');
    const person = await dir.person('kim@goteborg.example.org', 'requester', dept.id);
    // Pending invitations show on the department page too.
    const before = await admin.get(`/departments/${dept.id}`).expect(200);
    await admin
      .post('/invitations')
      .type('form')
      .send({
        _csrf: csrfFrom(before.text),
        roleScope: `requester:${dept.id}`,
        email: 'pending@goteborg.example.org',
        back: `/departments/${dept.id}`,
      })
      .expect(303);
    const deptPage = await admin.get(`/departments/${dept.id}`).expect(200);
    expect(deptPage.text).toMatch(
      /<td class="govuk-table__cell">pending@goteborg\.example\.org<\/td>/,
    );
    expect(deptPage.text).toContain(`action="/people/${person.id}/roles/remove"`);
    await admin
      .post(`/people/${person.id}/roles/remove`)
      .type('form')
      .send({ _csrf: csrfFrom(deptPage.text), role: 'requester', scopeId: dept.id, back: '/' })
      .expect(303);
    const after = await admin.get(`/departments/${dept.id}`).expect(200);
    expect(after.text).not.toContain('kim@goteborg.example.org');
  });

  it('says when a domain link works until, hides manual validation once validated, and explains a superseded link', async () => {
    const org = await dir.organisation(nren.id, 'Domänhögskolan');
    const d = await dir.domain(org.id, 'domanhogskolan.example.org');
    const page = await admin.get(`/domains/${d.id}?lang=en`).expect(200);
    await admin
      .post(`/domains/${d.id}/email`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), localPart: 'hostmaster' })
      .expect(303);
    const pending = await admin.get(`/domains/${d.id}?lang=en`).expect(200);
    expect(pending.text).toMatch(/it works until \w{3} \d+, 2026, [\d:]+ [AP]M UTC\./);
    expect(pending.text).toContain('action="/domains/' + d.id + '/manual-validation"');
    const link = linkIn(
      (await lastMailTo('hostmaster@domanhogskolan.example.org')).text,
      '/domain-validation/',
    );
    const version = (await dir.api('get', `/domains/${d.id}`)).body.version;
    await dir.api('post', `/domains/${d.id}/manual-validation`, { version, note: 'by phone' });
    const validated = await admin.get(`/domains/${d.id}?lang=en`).expect(200);
    expect(validated.text).not.toContain('/manual-validation"');
    expect(validated.text).not.toContain('it works until');
    const followed = await agentFor(t).get(`${link}?lang=en`).expect(409);
    expect(followed.text).toContain('domanhogskolan.example.org was validated on 2026-06-01');
  });

  it('filters the request list, and the preview goes back to the form with the input kept', async () => {
    const org = await dir.organisation(nren.id, 'Filtrerade högskolan');
    await dir.api('patch', `/organisations/${org.id}`, {
      version: (await dir.api('get', `/organisations/${org.id}`)).body.version,
      allowedProducts: ['OV_SSL', 'OV_MULTI'],
    });
    const dept = await dir.department(org.id, 'Fysik');
    const d = await dir.domain(org.id, 'filtrerade.example.org');
    await dir.api('post', `/domains/${d.id}/manual-validation`, { version: d.version, note: 'x' });
    const v = (await dir.api('get', `/domains/${d.id}`)).body.version;
    await dir.api('patch', `/domains/${d.id}`, { version: v, departmentIds: [dept.id] });
    const requester = await dir.person('eva@filtrerade.example.org', 'requester', dept.id);
    for (const [name, product] of [
      ['alpha.filtrerade.example.org', 'OV_SSL'],
      ['beta.filtrerade.example.org', 'OV_MULTI'],
    ]) {
      const csr = toPem(
        buildCsr({
          key: await keyFor({ type: 'ec', curve: 'P-256' }),
          subject: [['CN', name]],
          san: [{ type: 'dns', value: name }],
        }),
      );
      const made = await dir.api(
        'post',
        '/requests',
        { departmentId: dept.id, product, csr },
        requester.token,
      );
      expect(made.status).toBe(201);
    }
    const names = async (query: string) => {
      const res = await admin.get(`/requests?${query}`).expect(200);
      return [...res.text.matchAll(/<code>([a-z]+)\.filtrerade\.example\.org<\/code>/g)].map(
        (m) => m[1],
      );
    };
    expect(await names(`department=${dept.id}`)).toEqual(['beta', 'alpha']);
    expect(await names(`department=${dept.id}&product=OV_MULTI`)).toEqual(['beta']);
    expect(await names('q=alpha.filtrerade')).toEqual(['alpha']);
    expect(await names(`department=${dept.id}&status=approved`)).toEqual([]);
    expect(await names(`department=${dept.id}&status=submitted`)).toEqual(['beta', 'alpha']);

    // "Change" on the preview: the form again with everything that was typed.
    const form = await admin.get('/requests/new').expect(200);
    const back = await admin
      .post('/requests/check')
      .field('_csrf', csrfFrom(form.text))
      .field('departmentId', String(dept.id))
      .field('product', 'OV_MULTI')
      .field('csr', '-----BEGIN CERTIFICATE REQUEST-----\nabc\n-----END CERTIFICATE REQUEST-----\n')
      .field('comment', 'line one\nline two')
      .field('edit', '1')
      .expect(200);
    expect(back.text).toContain('>line one\nline two</textarea>');
    expect(back.text).toContain('<option value="OV_MULTI" selected>');
    expect(back.text).not.toContain('govuk-error-summary');
  });

  it('sends a GET of a post-only address to its page', async () => {
    const res = await admin.get('/requests/check?lang=de').expect(303);
    expect(res.headers.location).toBe('/requests?lang=de');
    const org = await dir.organisation(nren.id, 'Omdirigering');
    const dept = await admin.get(`/organisations/${org.id}/departments`).expect(303);
    expect(dept.headers.location).toBe(`/organisations/${org.id}`);
  });
});
