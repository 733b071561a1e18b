import { Directory } from './support/directory.js';
import { agentFor, csrfFrom, login, type Agent } from './support/http.js';
import { csrFor, setPassword, submitRequest, usableDomain } from './support/requests.js';
import { createTestApp, type TestApp } from './support/test-app.js';

type Person = { id: number; token: string };

describe('approval pages', () => {
  let t: TestApp;
  let dir: Directory;
  let physics: number;
  let chemistry: number;
  let requester: Person;
  let chemist: Person;
  let rao: Person;
  let rao2: Person;
  let raoPage: Agent;
  let requesterPage: Agent;

  beforeAll(async () => {
    t = await createTestApp();
    dir = await new Directory(t).init();
    const nren = await dir.nren('PAGE');
    const org = await dir.organisation(nren.id, 'Page University');
    physics = (await dir.department(org.id, 'Physics')).id;
    chemistry = (await dir.department(org.id, 'Chemistry')).id;
    const domain = await dir.domain(org.id, 'page.example.org');
    await usableDomain(dir, domain.id, [physics, chemistry]);
    requester = await dir.person('req@page.example.org', 'requester', physics);
    chemist = await dir.person('chem@page.example.org', 'requester', chemistry);
    rao = await dir.person('rao@page.example.org', 'rao', org.id);
    rao2 = await dir.person('rao2@page.example.org', 'rao', org.id);
    await setPassword(t, rao.id, 'rao-long-password-1');
    await setPassword(t, requester.id, 'requester-long-password-1');
    raoPage = agentFor(t);
    await login(raoPage, 'rao@page.example.org', 'rao-long-password-1');
    requesterPage = agentFor(t);
    await login(requesterPage, 'req@page.example.org', 'requester-long-password-1');
  }, 60_000);
  afterAll(() => t?.close());

  const submit = (dept = physics) =>
    submitRequest(
      t,
      dept === physics ? requester.token : chemist.token,
      dept,
      csrFor([`h${Math.random().toString(36).slice(2, 8)}.page.example.org`]),
    );
  const rowsOf = (html: string) =>
    [...html.matchAll(/name="pick" value="(\d+):(\d+)"/g)].map((m) => Number(m[1]));

  it('shows the RAO their queue, oldest first, with its count on the home page and in the navigation', async () => {
    const a = await submit();
    const b = await submit(chemistry);
    const home = await raoPage.get('/').expect(200);
    expect(home.text).toContain('2 request(s) await your decision.');
    expect(home.text).toContain('To decide (2)');
    const queue = await raoPage.get('/approvals').expect(200);
    expect(rowsOf(queue.text)).toEqual([a.id, b.id]);
    const filtered = await raoPage.get(`/approvals?department=${chemistry}`).expect(200);
    expect(rowsOf(filtered.text)).toEqual([b.id]);
    // The requester decides nothing: no queue link.
    const theirs = await requesterPage.get('/').expect(200);
    expect(theirs.text).not.toContain('To decide');
    // Bulk approve: one was decided by someone else meanwhile; the page says which and why.
    await dir.api(
      'post',
      `/requests/${b.id}/reject`,
      { version: b.version, reason: 'dup' },
      rao2.token,
    );
    const done = await raoPage
      .post('/approvals/approve-many')
      .type('form')
      .send(
        `_csrf=${encodeURIComponent(csrfFrom(queue.text))}&pick=${a.id}:${a.version}&pick=${b.id}:${b.version}`,
      )
      .expect(200);
    expect(done.text).toContain('1 of the selected requests could not be approved');
    expect(done.text).toContain(
      `Request ${b.id}</a>: Someone else decided first: this request has already been rejected.`,
    );
    expect(done.text).toContain(`Request ${a.id}</a>: Approved`);
    expect(rowsOf(done.text)).toEqual([]);
  });

  it('asks for confirmation and a reason before rejecting, and shows the requester the reason and what is next', async () => {
    const r = await submit();
    const page = await raoPage.get(`/requests/${r.id}`).expect(200);
    // Reject sits behind a disclosure: the confirming button is inside it.
    expect(page.text).toMatch(
      /<details class="govuk-details confirm">\s*<summary class="govuk-details__summary"><span class="govuk-details__summary-text">Reject…<\/span><\/summary>/,
    );
    expect(page.text).toContain('Yes, reject the request');
    expect(page.text).toContain('page.example.org');
    expect(page.text).toContain('Validated');
    expect(page.text).toContain('req &lt;req@page.example.org&gt;');
    const empty = await raoPage
      .post(`/requests/${r.id}/reject`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), version: r.version, reason: ' ' })
      .expect(422);
    expect(empty.text).toMatch(/<details class="govuk-details confirm" open>/);
    await raoPage
      .post(`/requests/${r.id}/reject`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), version: r.version, reason: 'Use the shared web server' })
      .expect(303);
    const seen = await requesterPage.get(`/requests/${r.id}`).expect(200);
    expect(seen.text).toContain('Rejected');
    expect(seen.text).toContain('Use the shared web server');
    expect(seen.text).toContain('You may submit a new request that takes the reason into account.');
  });

  it('lets an RAO appoint and end a substitute on the page', async () => {
    const page = await raoPage.get('/approvals/substitutes').expect(200);
    const until = new Date(t.clock.now().getTime() + 5 * 86_400_000).toISOString().slice(0, 10);
    const wrong = await raoPage
      .post('/approvals/substitutes')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), substitute: 'req@page.example.org', endsAt: until })
      .expect(422);
    expect(wrong.text).toContain('This person cannot stand in for you');
    expect(wrong.text).toContain('value="req@page.example.org"');
    await raoPage
      .post('/approvals/substitutes')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), substitute: 'rao2@page.example.org', endsAt: until })
      .expect(303);
    const listed = await raoPage.get('/approvals/substitutes').expect(200);
    expect(listed.text).toContain('rao2 &lt;rao2@page.example.org&gt;');
    const id = /name="id" value="(\d+)"/.exec(listed.text)![1];
    await raoPage
      .post('/approvals/substitutes/end')
      .type('form')
      .send({ _csrf: csrfFrom(listed.text), id })
      .expect(303);
    expect((await raoPage.get('/approvals/substitutes').expect(200)).text).toContain(
      'No substitution now or planned.',
    );
  });
});
