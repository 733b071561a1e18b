import request from 'supertest';
import { NotificationOptOut } from '../src/accounts/notification-opt-out.entity.js';
import { wantsNotification } from '../src/accounts/notifications.js';
import { ApprovalDigestJob } from '../src/approvals/approval-digest.job.js';
import { Transactions } from '../src/database/transactions.js';
import { MailMessage } from '../src/mail/mail-message.entity.js';
import { DIALECT } from './support/databases.js';
import { Directory } from './support/directory.js';
import { HOUR } from './support/fake-clock.js';
import { agentFor, csrfFrom, login, type Agent } from './support/http.js';
import { csrFor, setPassword, submitRequest, usableDomain } from './support/requests.js';
import { createTestApp, type TestApp } from './support/test-app.js';

type Person = { id: number; token: string };
const PASSWORD = 'notified-long-password-1';

describe(`notification preferences on ${DIALECT}`, () => {
  let t: TestApp;
  let dept: number;
  let requester: Person;
  let rao: Person;
  let requesterPage: Agent;
  let raoPage: Agent;
  const em = () => t.get(Transactions).manager;
  const mailsTo = (to: string, subject: string) =>
    em()
      .createQueryBuilder(MailMessage, 'm')
      .where('m.to_address = :to AND m.subject LIKE :s', { to, s: `%${subject}%` })
      .getCount();

  beforeAll(async () => {
    // The digest test moves the clock on by hours; the pages' sessions must outlast that.
    t = await createTestApp({
      env: { SESSION_IDLE_TIMEOUT: '86400', SESSION_ABSOLUTE_TIMEOUT: '86400' },
    });
    const dir = await new Directory(t).init();
    const nren = await dir.nren('NOTE');
    const org = await dir.organisation(nren.id, 'Notified University');
    dept = (await dir.department(org.id, 'Physics')).id;
    await usableDomain(dir, (await dir.domain(org.id, 'note.example.org')).id, [dept]);
    requester = await dir.person('req@note.example.org', 'requester', dept);
    rao = await dir.person('rao@note.example.org', 'rao', org.id);
    await setPassword(t, requester.id, PASSWORD);
    await setPassword(t, rao.id, PASSWORD);
    requesterPage = agentFor(t);
    raoPage = agentFor(t);
    for (const [agent, email] of [
      [requesterPage, 'req@note.example.org'],
      [raoPage, 'rao@note.example.org'],
    ] as const) {
      const res = await login(agent, email, PASSWORD);
      expect([res.status, res.headers.location]).toEqual([303, '/']);
    }
  }, 120_000);
  afterAll(() => t?.close());

  const submit = () =>
    submitRequest(
      t,
      requester.token,
      dept,
      csrFor([`www${Math.random().toString(36).slice(2, 8)}.note.example.org`]),
    );
  const decide = (id: number, version: number, action: 'approve' | 'reject') =>
    request(t.server)
      .post(`/api/v1/requests/${id}/${action}`)
      .set('Authorization', `Bearer ${rao.token}`)
      .send({ version, reason: 'Not this one' })
      .expect(200);
  const choose = async (agent: Agent, kinds: string[]) => {
    const page = await agent.get('/account');
    expect([page.status, page.headers.location]).toEqual([200, undefined]);
    const res = await agent
      .post('/account/notifications')
      .type('form')
      .send(
        `_csrf=${encodeURIComponent(csrfFrom(page.text))}&${kinds.map((k) => `kinds=${k}`).join('&')}`,
      );
    expect([res.status, res.headers.location]).toEqual([303, '/account']);
    return (await agent.get('/account').expect(200)).text;
  };

  it('a requester who turned rejections off gets no mail for one, but still hears of approvals', async () => {
    const page = await choose(requesterPage, ['request-approved', 'request-expired']);
    expect(page).toContain('Your choice of e-mails has been saved.');
    expect(page).toMatch(
      /id="notify-request-rejected" name="kinds" type="checkbox" value="request-rejected">/,
    );
    expect(page).toMatch(
      /id="notify-request-approved" name="kinds" type="checkbox" value="request-approved" checked>/,
    );

    const rejected = await submit();
    await decide(rejected.id, rejected.version, 'reject');
    expect(await mailsTo('req@note.example.org', `Request ${rejected.id} rejected`)).toBe(0);
    const approved = await submit();
    await decide(approved.id, approved.version, 'approve');
    expect(await mailsTo('req@note.example.org', `Request ${approved.id} approved`)).toBe(1);

    // Switched back on, the next rejection is mailed.
    await choose(requesterPage, ['request-approved', 'request-rejected', 'request-expired']);
    const again = await submit();
    await decide(again.id, again.version, 'reject');
    expect(await mailsTo('req@note.example.org', `Request ${again.id} rejected`)).toBe(1);
  });

  it('an approver who turned digests off gets none', async () => {
    await choose(raoPage, []);
    t.clock.advance(2 * HOUR);
    await submit();
    const sent = await t.get(ApprovalDigestJob).run(t.clock.now());
    expect(sent).not.toContain(rao.id);
    expect(await mailsTo('rao@note.example.org', 'await your decision')).toBe(0);
    await choose(raoPage, ['approval-digest']);
    t.clock.advance(2 * HOUR);
    await submit();
    expect(await t.get(ApprovalDigestJob).run(t.clock.now())).toContain(rao.id);
    expect(await mailsTo('rao@note.example.org', 'await your decision')).toBe(1);
  });

  it('expiry reminders cannot be switched off, even by a forged form', async () => {
    const page = await choose(requesterPage, []);
    expect(page).toMatch(
      /id="notify-expiry-reminder" name="kinds" type="checkbox" value="expiry-reminder" checked disabled/,
    );
    expect(page).toContain('Always sent');
    expect(await em().findBy(NotificationOptOut, { userId: requester.id })).not.toContainEqual(
      expect.objectContaining({ kind: 'expiry-reminder' }),
    );
    expect(await wantsNotification(em(), requester.id, 'expiry-reminder')).toBe(true);
    expect(await wantsNotification(em(), requester.id, 'request-approved')).toBe(false);
  });
});
