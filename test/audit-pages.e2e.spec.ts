import request from 'supertest';
import { AuditService } from '../src/audit/audit.service.js';
import { DIALECT } from './support/databases.js';
import { seedCertificate } from './support/certificate-seed.js';
import { Directory } from './support/directory.js';
import { DAY } from './support/fake-clock.js';
import { agentFor, csrfFrom, login, type Agent } from './support/http.js';
import { csrFor, setPassword, submitRequest, usableDomain } from './support/requests.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestPki } from './support/test-pki.js';

type Person = { id: number; token: string };

// Logins hash passwords (argon2id): slow on a busy machine.
const SLOW = 120_000;

// History pages, the audit search and its CSV, earlier certificates on the request page,
// substitutes opening the requests they decide on, and the approval policy switches.
describe(`audit and approval pages on ${DIALECT}`, () => {
  let t: TestApp;
  let dir: Directory;
  let orgId: number;
  let otherOrgId: number;
  let foreignOrgId: number;
  let physics: number;
  let chemistry: number;
  let foreignDept: number;
  let requester: Person;
  let rao: Person;
  let draoChem: Person;
  let nrenAdmin: Person;
  let foreignAdmin: Person;
  let otherRao: Person;
  const pages = new Map<string, Agent>();

  const password = 'a-long-enough-password-1';
  const page = async (email: string, who: Person) => {
    if (!pages.has(email)) {
      await setPassword(t, who.id, password);
      const agent = agentFor(t);
      await login(agent, email, password);
      pages.set(email, agent);
    }
    return pages.get(email)!;
  };
  const api = (path: string, who: Person | string) =>
    request(t.server)
      .get(`/api/v1${path}`)
      .set('Authorization', `Bearer ${typeof who === 'string' ? who : who.token}`);
  const submit = (names: string[], dept = physics, who = requester) =>
    submitRequest(t, who.token, dept, csrFor(names));
  const unique = () => Math.random().toString(36).slice(2, 8);

  beforeAll(async () => {
    t = await createTestApp();
    dir = await new Directory(t).init();
    const nren = await dir.nren('AUDA');
    const foreignNren = await dir.nren('AUDB');
    const org = await dir.organisation(nren.id, 'Audit University');
    orgId = org.id;
    otherOrgId = (await dir.organisation(nren.id, 'Other College')).id;
    foreignOrgId = (await dir.organisation(foreignNren.id, 'Foreign University')).id;
    physics = (await dir.department(org.id, 'Physics')).id;
    chemistry = (await dir.department(org.id, 'Chemistry')).id;
    foreignDept = (await dir.department(foreignOrgId, 'Far')).id;
    const domain = await dir.domain(org.id, 'aud.example.org');
    await usableDomain(dir, domain.id, [physics, chemistry]);
    const foreignDomain = await dir.domain(foreignOrgId, 'audb.example.net');
    await usableDomain(dir, foreignDomain.id, [foreignDept]);
    requester = await dir.person('req@aud.example.org', 'requester', physics);
    rao = await dir.person('rao@aud.example.org', 'rao', org.id);
    draoChem = await dir.person('drao@aud.example.org', 'drao', chemistry);
    nrenAdmin = await dir.person('admin@auda.example', 'nren-admin', nren.id);
    foreignAdmin = await dir.person('admin@audb.example', 'nren-admin', foreignNren.id);
    otherRao = await dir.person('rao@other.example.org', 'rao', otherOrgId);
  }, 90_000);
  afterAll(() => t?.close());

  describe('history pages', () => {
    it(
      'shows a request history with who, what and when, and both names for a substitute decision',
      async () => {
        const until = new Date(t.clock.now().getTime() + 3 * DAY).toISOString();
        const appointed = await request(t.server)
          .post('/api/v1/substitutes')
          .set('Authorization', `Bearer ${rao.token}`)
          .send({ substitute: 'drao@aud.example.org', endsAt: until });
        expect(appointed.status).toBe(201);
        const r = await submit([`h${unique()}.aud.example.org`]);
        const approved = await request(t.server)
          .post(`/api/v1/requests/${r.id}/approve`)
          .set('Authorization', `Bearer ${draoChem.token}`)
          .send({ version: r.version });
        expect(approved.status).toBe(200);
        const history = await (
          await page('req@aud.example.org', requester)
        )
          .get(`/requests/${r.id}/history`)
          .expect(200);
        expect(history.text).toContain('Request submitted');
        expect(history.text).toContain('Request approved');
        expect(history.text).toContain('drao@aud.example.org');
        expect(history.text).toContain('in place of rao (substitute)');
        expect(history.text).toMatch(/\d{4}.*UTC/);
        // Linked from the request page.
        const shown = await (
          await page('req@aud.example.org', requester)
        )
          .get(`/requests/${r.id}`)
          .expect(200);
        expect(shown.text).toContain(`href="/requests/${r.id}/history"`);
        // Nobody outside sees it: another organisation's RAO, another NREN's administrator.
        await (
          await page('rao@other.example.org', otherRao)
        )
          .get(`/requests/${r.id}/history`)
          .expect(404);
        await (
          await page('admin@audb.example', foreignAdmin)
        )
          .get(`/requests/${r.id}/history`)
          .expect(404);
        await request(t.server)
          .post(`/api/v1/substitutes/${appointed.body.id}/end`)
          .set('Authorization', `Bearer ${rao.token}`)
          .expect(204);
      },
      SLOW,
    );

    it(
      "shows an organisation's history to its RAO and NREN administrator, and a foreign or unknown one is a 404",
      async () => {
        const raoPage = await page('rao@aud.example.org', rao);
        const org = await raoPage.get(`/organisations/${orgId}`).expect(200);
        expect(org.text).toContain(`href="/organisations/${orgId}/history"`);
        const own = await raoPage.get(`/organisations/${orgId}/history`).expect(200);
        expect(own.text).toContain('Organisation created');
        // Events of what is inside it: its departments and requests.
        expect(own.text).toContain('Department created');
        expect(own.text).toContain('Request submitted');
        await raoPage.get(`/organisations/${otherOrgId}/history`).expect(404);
        await raoPage.get(`/organisations/${foreignOrgId}/history`).expect(404);
        await raoPage.get('/organisations/999999/history').expect(404);
        const admin = await page('admin@auda.example', nrenAdmin);
        await admin.get(`/organisations/${orgId}/history`).expect(200);
        const foreign = await page('admin@audb.example', foreignAdmin);
        await foreign.get(`/organisations/${orgId}/history`).expect(404);
        await foreign.get(`/organisations/${foreignOrgId}/history`).expect(200);
      },
      SLOW,
    );

    it(
      'pages an organisation history by keyset, older events on the next page',
      async () => {
        const audit = t.get(AuditService);
        for (let i = 0; i < 55; i++) {
          await audit.recordNow(
            { id: null, label: 'cli' },
            { action: 'organisation.updated', subjectType: 'organisation', subjectId: otherOrgId },
          );
        }
        const admin = await page('admin@auda.example', nrenAdmin);
        const first = await admin.get(`/organisations/${otherOrgId}/history`).expect(200);
        const rows = (html: string) => (html.match(/Organisation changed/g) ?? []).length;
        expect(rows(first.text)).toBe(50);
        const next = /href="(\/organisations\/\d+\/history\?before&#x3D;\d+)"/
          .exec(first.text)![1]
          .replace('&#x3D;', '=');
        const second = await admin.get(next).expect(200);
        expect(rows(second.text)).toBe(5);
        expect(second.text).toContain('Organisation created');
        expect(second.text).toContain(`href="/organisations/${otherOrgId}/history"`);
      },
      SLOW,
    );

    it(
      'shows a certificate history to who may see the certificate only',
      async () => {
        const pki = await createTestPki();
        const c = await seedCertificate(
          t,
          pki,
          physics,
          [`c${unique()}.aud.example.org`],
          t.clock.now(),
        );
        const req = await page('req@aud.example.org', requester);
        const shown = await req.get(`/certificates/${c.id}`).expect(200);
        expect(shown.text).toContain(`href="/certificates/${c.id}/history"`);
        const history = await req.get(`/certificates/${c.id}/history`).expect(200);
        expect(history.text).toContain('Certificate stored');
        expect(history.text).toContain('test-seed');
        await (
          await page('admin@audb.example', foreignAdmin)
        )
          .get(`/certificates/${c.id}/history`)
          .expect(404);
        await req.get('/certificates/999999/history').expect(404);
      },
      SLOW,
    );
  });

  describe('audit search', () => {
    it(
      'lets an NREN administrator search their NREN only, and a platform administrator everything',
      async () => {
        const foreign = await submit(
          [`f${unique()}.audb.example.net`],
          foreignDept,
          await dir.person('req@audb.example.net', 'requester', foreignDept),
        );
        const mine = await submit([`m${unique()}.aud.example.org`]);
        const adminPage = await page('admin@auda.example', nrenAdmin);
        const all = await adminPage.get('/audit').expect(200);
        expect(all.text).toContain('Audit search');
        expect(all.text).toContain('Request submitted');
        const byObject = await adminPage
          .get(`/audit?objectType=request&objectId=${mine.id}`)
          .expect(200);
        expect(byObject.text).toContain(`Request ${mine.id}`);
        const foreignByObject = await adminPage
          .get(`/audit?objectType=request&objectId=${foreign.id}`)
          .expect(200);
        expect(foreignByObject.text).toContain('No events match.');
        // The other NREN's administrator sees none of this NREN's events: page, CSV, API.
        const other = await page('admin@audb.example', foreignAdmin);
        const theirs = await other.get('/audit?action=request.submitted').expect(200);
        expect(theirs.text).toContain(`Request ${foreign.id}`);
        expect(theirs.text).not.toContain(`Request ${mine.id}<`);
        const csv = await other.get('/audit/events.csv').expect(200);
        expect(csv.text).not.toContain('aud.example.org');
        expect(csv.text).not.toContain(`,request,${mine.id},`);
        expect(csv.text).toContain(`,request,${foreign.id},`);
        const json = await api('/audit-events?objectType=organisation', foreignAdmin).expect(200);
        const subjects = (json.body.items as { subjectId: string }[]).map((e) => e.subjectId);
        expect(subjects).toContain(String(foreignOrgId));
        expect(subjects).not.toContain(String(orgId));
        // The platform administrator sees both.
        const root = await api('/audit-events?action=request.submitted', dir.admin).expect(200);
        const ids = (root.body.items as { subjectId: string }[]).map((e) => e.subjectId);
        expect(ids).toEqual(expect.arrayContaining([String(mine.id), String(foreign.id)]));
        // Anyone else finds no such page.
        await (await page('rao@aud.example.org', rao)).get('/audit').expect(404);
        await api('/audit-events', rao).expect(404);
      },
      SLOW,
    );

    it(
      'filters by who, what and when, refuses a malformed filter with the input kept, and pages',
      async () => {
        const adminPage = await page('admin@auda.example', nrenAdmin);
        const who = await api('/audit-events?actor=REQ@aud.example.org', nrenAdmin).expect(200);
        expect(who.body.items.length).toBeGreaterThan(0);
        expect(
          (who.body.items as { actor: string }[]).every((e) => e.actor === 'req@aud.example.org'),
        ).toBe(true);
        const today = t.clock.now().toISOString().slice(0, 10);
        const tomorrow = new Date(t.clock.now().getTime() + DAY).toISOString().slice(0, 10);
        const inDay = await api(`/audit-events?from=${today}&to=${today}`, nrenAdmin).expect(200);
        expect(inDay.body.items.length).toBeGreaterThan(0);
        const later = await api(`/audit-events?from=${tomorrow}`, nrenAdmin).expect(200);
        expect(later.body.items).toEqual([]);
        const bad = await adminPage.get('/audit?from=yesterday&actor=x%40y.org').expect(422);
        expect(bad.text).toContain('value="yesterday"');
        expect(bad.text).toContain('value="x@y.org"');
        await api('/audit-events?objectType=spaceship', nrenAdmin).expect(422);
        // Keyset paging: 55 organisation events from the test before; the next page follows on.
        const first = await api(
          `/audit-events?objectType=organisation&objectId=${otherOrgId}`,
          nrenAdmin,
        ).expect(200);
        expect(first.body.items).toHaveLength(50);
        const second = await api(
          `/audit-events?objectType=organisation&objectId=${otherOrgId}&before=${first.body.next}`,
          nrenAdmin,
        ).expect(200);
        expect(second.body.items.length).toBeGreaterThan(0);
        expect(second.body.items[0].id).toBeLessThan(first.body.items[49].id);
        const html = await adminPage
          .get(`/audit?objectType=organisation&objectId=${otherOrgId}`)
          .expect(200);
        expect(html.text).toMatch(
          /href="\/audit\?objectType&#x3D;organisation&amp;objectId&#x3D;\d+&amp;before&#x3D;\d+"/,
        );
      },
      SLOW,
    );

    it(
      'exports CSV with proper quoting and no spreadsheet formulas',
      async () => {
        const r = await submit([`x${unique()}.aud.example.org`]);
        await request(t.server)
          .post(`/api/v1/requests/${r.id}/reject`)
          .set('Authorization', `Bearer ${rao.token}`)
          .send({
            version: r.version,
            reason: '=HYPERLINK("http://evil.example","click"), then -1',
          })
          .expect(200);
        const csv = await (
          await page('admin@auda.example', nrenAdmin)
        )
          .get(`/audit/events.csv?objectType=request&objectId=${r.id}`)
          .expect(200)
          .expect('Content-Type', /text\/csv/);
        const lines = csv.text.trim().split('\r\n');
        expect(lines[0]).toBe(
          'id,occurred_at_utc,actor,on_behalf_of,substitute,action,event,object_type,object_id,reason',
        );
        expect(lines).toHaveLength(3);
        expect(lines[1]).toContain(
          `,rao@aud.example.org,,,request.rejected,Request rejected,request,${r.id},"'=HYPERLINK(""http://evil.example"",""click""), then -1"`,
        );
        expect(lines[1]).toMatch(/^\d+,\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z,/);
      },
      SLOW,
    );
  });

  it(
    'lists earlier certificates for the same names on the request page, within the viewer scope',
    async () => {
      const pki = await createTestPki();
      const name = `e${unique()}.aud.example.org`;
      const old = await seedCertificate(t, pki, chemistry, [name], t.clock.now());
      // The same name in another NREN's store: not the RAO's to see.
      const elsewhere = await seedCertificate(t, pki, foreignDept, [name], t.clock.now());
      const r = await submit([name, `other-${unique()}.aud.example.org`]);
      const shown = await (
        await page('rao@aud.example.org', rao)
      )
        .get(`/requests/${r.id}`)
        .expect(200);
      expect(shown.text).toContain('Earlier certificates for the same names');
      expect(shown.text).toContain(`href="/certificates/${old.id}">${name}</a>`);
      expect(shown.text).not.toContain(`/certificates/${elsewhere.id}"`);
      // The requester (Physics) cannot see Chemistry's certificate.
      const theirs = await (
        await page('req@aud.example.org', requester)
      )
        .get(`/requests/${r.id}`)
        .expect(200);
      expect(theirs.text).toContain('No certificate you can see has any of these names.');
    },
    SLOW,
  );

  it(
    'opens the request page to an active substitute, with the decisions, and closes it when the period ends',
    async () => {
      const r = await submit([`s${unique()}.aud.example.org`]);
      const drao = await page('drao@aud.example.org', draoChem);
      await drao.get(`/requests/${r.id}`).expect(404);
      await api(`/requests/${r.id}`, draoChem).expect(404);
      const until = new Date(t.clock.now().getTime() + 2 * DAY).toISOString();
      await request(t.server)
        .post('/api/v1/substitutes')
        .set('Authorization', `Bearer ${rao.token}`)
        .send({ substitute: 'drao@aud.example.org', endsAt: until })
        .expect(201);
      const shown = await drao.get(`/requests/${r.id}`).expect(200);
      expect(shown.text).toContain(`action="/requests/${r.id}/approve"`);
      expect(shown.text).toContain(`action="/requests/${r.id}/reject"`);
      // A substitute decides; they do not withdraw requests.
      expect(shown.text).not.toContain(`action="/requests/${r.id}/cancel"`);
      expect((await api(`/requests/${r.id}`, draoChem).expect(200)).body.actions).toEqual([
        'approve',
        'reject',
      ]);
      await drao.get(`/requests/${r.id}/history`).expect(200);
      // Approving from the page lands on the request page again.
      const done = await drao
        .post(`/requests/${r.id}/approve`)
        .type('form')
        .send({ _csrf: csrfFrom(shown.text), version: r.version })
        .expect(303);
      expect(done.headers.location).toBe(`/requests/${r.id}`);
      expect((await drao.get(`/requests/${r.id}`).expect(200)).text).toContain('Approved');
      // Requests elsewhere stay closed.
      const foreignReq = await submit(
        [`g${unique()}.audb.example.net`],
        foreignDept,
        await dir.person('req2@audb.example.net', 'requester', foreignDept),
      );
      await drao.get(`/requests/${foreignReq.id}`).expect(404);
      t.clock.advance(3 * DAY);
      // Sessions lapse over days too: everyone logs in again.
      pages.clear();
      const later = await page('drao@aud.example.org', draoChem);
      await later.get(`/requests/${r.id}`).expect(404);
      await later.get(`/requests/${r.id}/history`).expect(404);
      await api(`/requests/${r.id}`, draoChem).expect(404);
    },
    SLOW,
  );

  describe('approval policy switches', () => {
    it(
      'lets the NREN administrator allow self-approval on the organisation page, confirmed and audited',
      async () => {
        const raoPage = await page('rao@aud.example.org', rao);
        const asRao = await raoPage.get(`/organisations/${orgId}`).expect(200);
        expect(asRao.text).not.toContain('self-approval');
        const admin = await page('admin@auda.example', nrenAdmin);
        const before = await admin.get(`/organisations/${orgId}`).expect(200);
        expect(before.text).toContain(
          'Nobody in this organisation may approve their own requests.',
        );
        // The change sits behind a disclosure with the confirming button in it.
        expect(before.text).toMatch(
          /<summary class="govuk-details__summary"><span class="govuk-details__summary-text">Allow self-approval…<\/span><\/summary>[\s\S]*Yes, allow self-approval/,
        );
        const version = /name="version" value="(\d+)"/.exec(
          before.text.slice(before.text.indexOf('/self-approval')),
        )![1];
        // The RAO may not flip it, even by posting the form.
        await raoPage
          .post(`/organisations/${orgId}/self-approval`)
          .type('form')
          .send({ _csrf: csrfFrom(asRao.text), version, enabled: 'true' })
          .expect(404);
        const stale = await admin
          .post(`/organisations/${orgId}/self-approval`)
          .type('form')
          .send({ _csrf: csrfFrom(before.text), version: Number(version) + 7, enabled: 'true' })
          .expect(409);
        expect(stale.text).toMatch(/<details class="govuk-details confirm" open>/);
        await admin
          .post(`/organisations/${orgId}/self-approval`)
          .type('form')
          .send({ _csrf: csrfFrom(before.text), version, enabled: 'true' })
          .expect(303);
        const after = await admin.get(`/organisations/${orgId}`).expect(200);
        expect(after.text).toContain('People in this organisation may approve their own requests.');
        expect(after.text).toContain('Forbid self-approval…');
        const trail = await api(
          `/audit-events?action=organisation.self-approval-changed&objectId=${orgId}`,
          nrenAdmin,
        ).expect(200);
        expect(trail.body.items[0].actor).toBe('admin@auda.example');
      },
      SLOW,
    );

    it(
      'lets the RAO turn on automatic approval on the department page, confirmed and audited',
      async () => {
        const raoPage = await page('rao@aud.example.org', rao);
        const dept = await raoPage.get(`/departments/${chemistry}`).expect(200);
        expect(dept.text).toContain('Every request from this department waits for an approver.');
        expect(dept.text).toContain('Yes, approve automatically');
        const version = /name="version" value="(\d+)"/.exec(
          dept.text.slice(dept.text.indexOf('/auto-approval')),
        )![1];
        // The DRAO sees the department but not the switch.
        const drao = await page('drao@aud.example.org', draoChem);
        expect((await drao.get(`/departments/${chemistry}`).expect(200)).text).not.toContain(
          'auto-approval',
        );
        await raoPage
          .post(`/departments/${chemistry}/auto-approval`)
          .type('form')
          .send({ _csrf: csrfFrom(dept.text), version, enabled: 'true' })
          .expect(303);
        const after = await raoPage.get(`/departments/${chemistry}`).expect(200);
        expect(after.text).toContain('are approved automatically');
        expect(after.text).toContain('Turn off automatic approval…');
        const events = await api(
          `/audit-events?action=department.auto-approval-changed&objectId=${chemistry}`,
          nrenAdmin,
        ).expect(200);
        expect(events.body.items[0].actor).toBe('rao@aud.example.org');
        // Another organisation's RAO: no such department.
        const other = await page('rao@other.example.org', otherRao);
        const theirPage = await other.get('/').expect(200);
        await other
          .post(`/departments/${chemistry}/auto-approval`)
          .type('form')
          .send({ _csrf: csrfFrom(theirPage.text), version, enabled: 'false' })
          .expect(404);
      },
      SLOW,
    );
  });
});
