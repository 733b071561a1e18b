import request from 'supertest';
import { DAY } from './support/fake-clock.js';
import { Directory } from './support/directory.js';
import { TestDnsServer } from './support/dns-server.js';
import { TestHttpSite } from './support/http-site.js';
import { agentFor, csrfFrom, type Agent } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// What an NREN administrator does to bring an institution in: from the invitation that
// makes them an administrator to a validated, delegated domain.
describe('setting up an organisation', () => {
  let t: TestApp;
  let dir: Directory;
  let dns: TestDnsServer;
  let site: TestHttpSite;

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    site = await TestHttpSite.start();
    t = await createTestApp({
      env: {
        DCV_DNS_SERVERS: dns.address,
        DCV_HTTP_PORT: String(site.port),
        DCV_TIMEOUT: '2',
        DCV_ALLOW_PRIVATE_ADDRESSES: 'true',
      },
    });
    dir = await new Directory(t).init();
  });
  afterAll(async () => {
    await t.close();
    await dns.close();
    await site.close();
  });

  async function lastMailTo(
    address: string,
  ): Promise<{ subject: string; text: string; language: string }> {
    const res = await dir.api('get', `/outbox?to=${encodeURIComponent(address)}`);
    expect(res.status).toBe(200);
    return res.body.items[0];
  }

  function linkIn(text: string, path: string): string {
    const match = new RegExp(`https?://[^\\s]+(${path.replace('?', '\\?')}[^\\s]+)`).exec(text);
    if (!match) {
      throw new Error(`no ${path} link in: ${text}`);
    }
    return match[1];
  }

  // The links used, by address: once used, the stored message no longer holds them.
  const usedLinks = new Map<string, string>();

  async function acceptInvitation(email: string, name: string): Promise<Agent> {
    const mail = await lastMailTo(email);
    const agent = agentFor(t);
    const link = linkIn(mail.text, '/invitations/accept/');
    usedLinks.set(email, link);
    const form = await agent.get(link).expect(200);
    expect(form.text).toContain(email);
    const token = /name="token" value="([^"]+)"/.exec(form.text)![1];
    const weak = await agent
      .post('/invitations/accept')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), token, displayName: name, password: 'short' })
      .expect(422);
    expect(weak.text).toContain('at least 12 characters');
    expect(weak.text).toContain(`value="${name}"`);
    await agent
      .post('/invitations/accept')
      .type('form')
      .send({
        _csrf: csrfFrom(weak.text),
        token,
        displayName: name,
        password: 'a-good-long-passphrase',
      })
      .expect(303);
    // The account took the invitation's language (Swedish); these tests read English.
    await agent.get('/?lang=en').expect(200);
    return agent;
  }

  let nrenId: number;
  let nrenAdmin: Agent;
  let orgId: number;
  let raoAgent: Agent;

  it('a platform administrator creates an NREN and invites its administrator, who accepts by e-mail', async () => {
    ({ id: nrenId } = await dir.create('/nrens', {
      name: 'SUNET',
      country: 'SE',
      contactEmail: 'noc@sunet.example',
      defaultLanguage: 'sv',
      caLoginName: 'sunet-ra',
      caPassword: 'ca-secret-1',
      caProductIds: { OV_SSL: 1234 },
    }));
    const nren = await dir.api('get', `/nrens/${nrenId}`);
    expect(nren.body).toMatchObject({ name: 'SUNET', caPasswordSet: true });
    expect(JSON.stringify(nren.body)).not.toContain('ca-secret-1');

    await dir.create('/invitations', {
      email: 'anna@sunet.example',
      role: 'nren-admin',
      scopeId: nrenId,
      language: 'sv',
    });
    const mail = await lastMailTo('anna@sunet.example');
    expect(mail.language).toBe('sv');
    nrenAdmin = await acceptInvitation('anna@sunet.example', 'Anna Admin');
    const page = await nrenAdmin.get(`/nrens/${nrenId}`).expect(200);
    expect(page.text).toContain('anna@sunet.example');
  });

  it('an invitation link works once and for seven days', async () => {
    await dir.create('/invitations', {
      email: 'late@sunet.example',
      role: 'nren-admin',
      scopeId: nrenId,
    });
    const link = linkIn((await lastMailTo('late@sunet.example')).text, '/invitations/accept/');
    t.clock.advance(7 * DAY + 1000);
    const expired = await request(t.server).get(link).expect(404);
    expect(expired.text).toContain('This invitation has expired');
    t.clock.advance(-7 * DAY - 1000);
    const again = await request(t.server).get(usedLinks.get('anna@sunet.example')!).expect(404);
    expect(again.text).toContain('already been accepted');
    expect((await lastMailTo('anna@sunet.example')).text).toContain('/invitations/accept/[…]');
  });

  it('the NREN administrator sets up the organisation with departments and invites its RAO', async () => {
    let page = await nrenAdmin.get('/organisations/new').expect(200);
    const res = await nrenAdmin
      .post('/organisations')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        nrenId,
        name: 'Kungliga Tekniska högskolan',
        streetAddress: 'Brinellvägen 8',
        postalCode: '114 28',
        locality: 'Stockholm',
        country: 'se',
        certificateContacts: 'pki@kth.example\nnoc@kth.example',
        allowedProducts: 'OV_SSL OV_MULTI',
      })
      .expect(303);
    orgId = Number(res.headers.location.split('/')[2]);
    page = await nrenAdmin.get(`/organisations/${orgId}`).expect(200);
    for (const name of ['EECS', 'ITM']) {
      page = await nrenAdmin.get(`/organisations/${orgId}`);
      await nrenAdmin
        .post(`/organisations/${orgId}/departments`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), name })
        .expect(303);
    }
    page = await nrenAdmin.get(`/organisations/${orgId}`).expect(200);
    expect(page.text).toContain('EECS');
    const duplicate = await nrenAdmin
      .post(`/organisations/${orgId}/departments`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'EECS' })
      .expect(422);
    expect(duplicate.text).toContain('already in use');

    page = await nrenAdmin.get(`/organisations/${orgId}/edit`);
    const version = /name="version" value="(\d+)"/.exec(page.text)![1];
    await nrenAdmin
      .post(`/organisations/${orgId}/identity-validation`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), version })
      .expect(303);
    const org = await dir.api('get', `/organisations/${orgId}`);
    expect(org.body.identity).toMatchObject({ current: true });
    // Validated 2026-06-01 (the test clock): 398 days under the rules from 2026-03-15.
    expect(org.body.identity.validUntil).toBe('2027-07-04T09:00:00.000Z');
    expect(org.body.certificateContacts).toEqual(['pki@kth.example', 'noc@kth.example']);

    page = await nrenAdmin.get(`/organisations/${orgId}`);
    await nrenAdmin
      .post('/invitations')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        email: 'rao@kth.example',
        roleScope: `rao:${orgId}`,
        back: `/organisations/${orgId}`,
      })
      .expect(303);
    raoAgent = await acceptInvitation('rao@kth.example', 'Rolf RAO');
    await raoAgent.get(`/organisations/${orgId}`).expect(200);
    await raoAgent.get(`/nrens/${nrenId}`).expect(404);
  });

  it('an organisation edit from a stale form is refused, keeping what was typed', async () => {
    const first = await nrenAdmin.get(`/organisations/${orgId}/edit`);
    const second = await raoAgent.get(`/organisations/${orgId}/edit`);
    const form = (page: string, locality: string) => ({
      _csrf: csrfFrom(page),
      version: /name="version" value="(\d+)"/.exec(page)![1],
      name: 'Kungliga Tekniska högskolan',
      streetAddress: 'Brinellvägen 8',
      locality,
      country: 'SE',
    });
    await nrenAdmin
      .post(`/organisations/${orgId}`)
      .type('form')
      .send(form(first.text, 'Stockholm'))
      .expect(303);
    const stale = await raoAgent
      .post(`/organisations/${orgId}`)
      .type('form')
      .send(form(second.text, 'Solna'))
      .expect(409);
    expect(stale.text).toContain('Someone else changed this');
    expect(stale.text).toContain('value="Solna"');
  });

  it('the RAO registers a domain and proves control with a DNS TXT record', async () => {
    const page = await raoAgent.get(`/organisations/${orgId}/domains/new`).expect(200);
    const res = await raoAgent
      .post(`/organisations/${orgId}/domains`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'KTH.example.ORG.' })
      .expect(303);
    const domainId = Number(res.headers.location.split('/')[2]);
    const detail = await dir.api('get', `/domains/${domainId}`);
    expect(detail.body).toMatchObject({ name: 'kth.example.org', status: 'pending' });
    const txt = detail.body.challenges.find((c: { method: string }) => c.method === 'dns-txt');

    let shown = await raoAgent.get(`/domains/${domainId}`).expect(200);
    expect(shown.text).toContain(txt.recordName);
    expect(shown.text).toContain(txt.recordValue.split('=')[1]);
    // Nothing published yet: the check records the failure.
    await raoAgent
      .post(`/domains/${domainId}/check`)
      .type('form')
      .send({ _csrf: csrfFrom(shown.text), method: 'dns-txt' })
      .expect(303);
    expect((await dir.api('get', `/domains/${domainId}`)).body).toMatchObject({
      status: 'failed',
      lastCheckCode: 'nxdomain',
    });

    dns.set(txt.recordName, { TXT: [txt.recordValue] });
    shown = await raoAgent.get(`/domains/${domainId}`);
    await raoAgent
      .post(`/domains/${domainId}/check`)
      .type('form')
      .send({ _csrf: csrfFrom(shown.text), method: 'dns-txt' })
      .expect(303);
    const validated = (await dir.api('get', `/domains/${domainId}`)).body;
    expect(validated).toMatchObject({
      status: 'validated',
      method: 'dns-txt',
      lastCheckCode: 'found',
    });
    expect(validated.validationExpiresAt).toBe('2026-12-18T09:00:00.000Z');
    // A fresh token for the next validation: the published one proved control once.
    expect(validated.challenges[0].recordValue).not.toBe(txt.recordValue);

    shown = await raoAgent.get(`/domains/${domainId}`);
    expect(shown.text).toContain('Validated');
    expect(shown.text).toContain('Domain validated');
  });

  it('proves control by an HTTP file and by e-mail', async () => {
    const web = await dir.domain(orgId, 'www-kth.example.org');
    const detail = (await dir.api('get', `/domains/${web.id}`)).body;
    const http = detail.challenges.find((c: { method: string }) => c.method === 'http');
    dns.set('www-kth.example.org', { A: ['127.0.0.1'] });
    site.set('www-kth.example.org', new URL(http.url).pathname, { body: `${http.fileContent}\n` });
    const checked = await dir.api('post', `/domains/${web.id}/check`, { method: 'http' });
    expect(checked.body.outcome).toMatchObject({ ok: true, code: 'found' });

    const mailed = await dir.domain(orgId, 'mail-kth.example.org');
    const sent = await dir.api('post', `/domains/${mailed.id}/validation-email`, {
      localPart: 'hostmaster',
    });
    expect(sent.body).toEqual({ sentTo: 'hostmaster@mail-kth.example.org' });
    const link = linkIn(
      (await lastMailTo('hostmaster@mail-kth.example.org')).text,
      '/domain-validation/',
    );
    // Following the link only shows a button: a mail scanner fetching it validates nothing.
    const confirm = await agentFor(t).get(link).expect(200);
    expect((await dir.api('get', `/domains/${mailed.id}`)).body.status).toBe('pending');
    const visitor = agentFor(t);
    const form = await visitor.get(link);
    await visitor
      .post('/domain-validation')
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        token: /name="token" value="([^"]+)"/.exec(confirm.text)![1],
      })
      .expect(200);
    expect((await dir.api('get', `/domains/${mailed.id}`)).body).toMatchObject({
      status: 'validated',
      method: 'email',
    });
    await agentFor(t).get(link).expect(404);
  });

  it('manual validation needs a note and only NREN administrators may give it', async () => {
    const d = await dir.domain(orgId, 'manual-kth.example.org');
    let page = await nrenAdmin.get(`/domains/${d.id}`).expect(200);
    const noNote = await nrenAdmin
      .post(`/domains/${d.id}/manual-validation`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), version: d.version, note: '  ' })
      .expect(422);
    expect(noNote.text).toContain('This field is required.');
    page = await nrenAdmin.get(`/domains/${d.id}`);
    await nrenAdmin
      .post(`/domains/${d.id}/manual-validation`)
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        version: d.version,
        note: 'Checked WHOIS and phoned the registrant',
      })
      .expect(303);
    const after = (await dir.api('get', `/domains/${d.id}`)).body;
    expect(after).toMatchObject({
      status: 'validated',
      method: 'manual',
      validationNote: 'Checked WHOIS and phoned the registrant',
    });
    const raoPage = await raoAgent.get(`/domains/${d.id}`).expect(200);
    expect(raoPage.text).not.toContain('manual-validation');
  });

  it('delegates a domain to a department, whose requester then sees it', async () => {
    const departments = (await dir.api('get', `/organisations/${orgId}/departments`)).body as {
      id: number;
      name: string;
    }[];
    const eecs = departments.find((d) => d.name === 'EECS')!;
    const domain = (
      await dir.api('get', `/organisations/${orgId}/domains?q=kth.example.org`)
    ).body.items.find((d: { name: string }) => d.name === 'kth.example.org');
    const requester = await dir.person('student@kth.example', 'requester', eecs.id);
    await dir
      .api('get', `/domains/${domain.id}`, undefined, requester.token)
      .then((r) => expect(r.status).toBe(404));

    const page = await raoAgent.get(`/domains/${domain.id}`);
    await raoAgent
      .post(`/domains/${domain.id}`)
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        version: /name="version" value="(\d+)"/.exec(page.text.split('id="delegation"')[1])![1],
        departmentIds: String(eecs.id),
        wildcardsAllowed: 'on',
      })
      .expect(303);
    const seen = await dir.api('get', `/domains/${domain.id}`, undefined, requester.token);
    expect(seen.body).toMatchObject({
      name: 'kth.example.org',
      wildcardsAllowed: true,
      departmentIds: [eecs.id],
    });
    const list = await dir.api(
      'get',
      `/organisations/${orgId}/domains`,
      undefined,
      requester.token,
    );
    expect(list.body.items.map((d: { name: string }) => d.name)).toEqual(['kth.example.org']);
  });

  it('a validation stops counting when its reuse period ends', async () => {
    const d = (await dir.api('get', `/organisations/${orgId}/domains?q=manual-kth`)).body.items[0];
    t.clock.set(new Date(new Date(d.validationExpiresAt).getTime() - 1000));
    expect((await dir.api('get', `/domains/${d.id}`)).body.status).toBe('validated');
    t.clock.advance(1000);
    expect((await dir.api('get', `/domains/${d.id}`)).body.status).toBe('expired');
    t.clock.set('2026-06-01T09:00:00Z');
  });

  it('refuses a domain another organisation holds, naming the holder to NREN administrators only', async () => {
    const other = await dir.organisation(nrenId, 'Stockholms universitet');
    const otherRao = await dir.person('rao@su.example', 'rao', other.id);
    const byRao = await dir.api(
      'post',
      `/organisations/${other.id}/domains`,
      { name: 'www.kth.example.org' },
      otherRao.token,
    );
    expect(byRao.status).toBe(422);
    expect(byRao.body.errors).toEqual([
      expect.objectContaining({ field: 'name', code: 'domain_taken' }),
    ]);
    expect(JSON.stringify(byRao.body)).not.toContain('Tekniska');

    const page = await nrenAdmin.get(`/organisations/${other.id}/domains/new`);
    const byNren = await nrenAdmin
      .post(`/organisations/${other.id}/domains`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'kth.example.org' })
      .expect(422);
    expect(byNren.text).toContain('held by Kungliga Tekniska högskolan');
    expect(byNren.text).toContain('value="kth.example.org"');
  });

  it.each([
    ['co.uk', 'domain_public_suffix', 'öffentliches Suffix'],
    ['pаypаl.com', 'domain_confusable', 'Schrift'],
    ['intranet.local', 'domain_not_public', 'Top-Level-Domain'],
    ['', 'required', 'Pflichtfeld'],
  ])('refuses %j with %s, in the language asked for', async (name, code, german) => {
    const res = await request(t.server)
      .post(`/api/v1/organisations/${orgId}/domains`)
      .set('Authorization', `Bearer ${dir.admin}`)
      .set('Accept-Language', 'de')
      .send({ name })
      .expect(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'name', code })]);
    expect(res.body.errors[0].message).toContain(german);
  });

  it('refuses oversize and missing organisation fields, saving nothing', async () => {
    const before = (await dir.api('get', `/organisations?nrenId=${nrenId}`)).body.total;
    const res = await dir.api('post', '/organisations', {
      nrenId,
      name: 'x'.repeat(201),
      country: 'XX',
    });
    expect(res.status).toBe(422);
    expect(
      res.body.errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`).sort(),
    ).toEqual([
      'country:country_invalid',
      'locality:required',
      'name:too_long',
      'streetAddress:required',
    ]);
    expect((await dir.api('get', `/organisations?nrenId=${nrenId}`)).body.total).toBe(before);
  });
});
