import * as argon2 from 'argon2';
import { User } from '../src/accounts/user.entity.js';
import { Transactions } from '../src/database/transactions.js';
import { MINUTE } from './support/fake-clock.js';
import { Directory } from './support/directory.js';
import { agentFor, csrfFrom, login, type Agent } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('changing and resetting a password', () => {
  let t: TestApp;
  let dir: Directory;
  const EMAIL = 'lena@example.org';

  beforeAll(async () => {
    t = await createTestApp();
    dir = await new Directory(t).init();
    const nren = await dir.nren('DFN');
    await dir.person(EMAIL, 'nren-admin', nren.id);
    await t.get(Transactions).manager.update(
      User,
      { email: EMAIL },
      {
        passwordHash: await argon2.hash('first-long-password', { type: argon2.argon2id }),
        language: 'de',
      },
    );
  });
  afterAll(async () => {
    await t.close();
  });

  async function loggedIn(password: string): Promise<Agent> {
    const agent = agentFor(t);
    expect((await login(agent, EMAIL, password)).status).toBe(303);
    await agent.get('/account').expect(200);
    return agent;
  }

  async function mailsTo(address: string) {
    const res = await dir.api('get', `/outbox?to=${encodeURIComponent(address)}`);
    return res.body.items as { subject: string; text: string; language: string }[];
  }

  it('changes the password on the account page and ends the other sessions only', async () => {
    const here = await loggedIn('first-long-password');
    const elsewhere = await loggedIn('first-long-password');
    const page = await here.get('/account?lang=en').expect(200);
    const wrong = await here
      .post('/account/password')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), currentPassword: 'nope', newPassword: 'x' })
      .expect(422);
    expect(wrong.text).toContain('This is not your current password.');
    expect(wrong.text).toMatch(/id="currentPassword"[^>]*aria-invalid="true"/);
    await here
      .post('/account/password')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        currentPassword: 'first-long-password',
        newPassword: 'second-long-password',
      })
      .expect(303);
    await here.get('/account').expect(200);
    const gone = await elsewhere.get('/account').expect(303);
    expect(gone.headers.location).toMatch(/^\/login/);
    await loggedIn('second-long-password');
    expect((await login(agentFor(t), EMAIL, 'first-long-password')).status).toBe(401);
  });

  it('sends a single-use, short-lived link, says the same for unknown addresses, and keeps the token out of the logs', async () => {
    const before = (await mailsTo(EMAIL)).length;
    const signedIn = await loggedIn('second-long-password');
    const anonymous = agentFor(t);
    const form = await anonymous.get('/password/forgot?lang=en').expect(200);
    const known = await anonymous
      .post('/password/forgot')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), email: EMAIL.toUpperCase() })
      .expect(303);
    const unknown = await anonymous
      .post('/password/forgot')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), email: 'nobody@example.org' })
      .expect(303);
    expect(unknown.headers.location).toBe(known.headers.location);
    const notice = await anonymous.get(known.headers.location).expect(200);
    expect(notice.text).toContain('If an account with this address exists');
    expect(await mailsTo('nobody@example.org')).toEqual([]);
    const mails = await mailsTo(EMAIL);
    expect(mails).toHaveLength(before + 1);
    // In the account's language.
    expect(mails[0].language).toBe('de');
    const path = /https?:\/\/\S+(\/password\/reset\/[\w-]+)/.exec(mails[0].text)![1];
    const token = path.split('/').pop()!;

    // Asking again straight away sends nothing more.
    await anonymous
      .post('/password/forgot')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), email: EMAIL })
      .expect(303);
    expect(await mailsTo(EMAIL)).toHaveLength(before + 1);

    const reset = await anonymous.get(`${path}?lang=en`).expect(200);
    const weak = await anonymous
      .post(path)
      .type('form')
      .send({ _csrf: csrfFrom(reset.text), password: 'short' })
      .expect(422);
    expect(weak.text).toMatch(/id="password"[^>]*aria-invalid="true"/);
    await anonymous
      .post(path)
      .type('form')
      .send({ _csrf: csrfFrom(reset.text), password: 'third-long-password' })
      .expect(303);
    // Every session of the account ended; the link is used up.
    expect((await signedIn.get('/account').expect(303)).headers.location).toMatch(/^\/login/);
    await anonymous.get(path).expect(404);
    await loggedIn('third-long-password');
    expect(t.logs.join('')).not.toContain(token);
    expect(t.logs.join('')).toContain('/password/reset/[redacted]');
  });

  it('lets a link run out after 30 minutes', async () => {
    t.clock.advance(10 * MINUTE);
    const anonymous = agentFor(t);
    const form = await anonymous.get('/password/forgot').expect(200);
    await anonymous
      .post('/password/forgot')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), email: EMAIL })
      .expect(303);
    const text = (await mailsTo(EMAIL))[0].text;
    const path = /https?:\/\/\S+(\/password\/reset\/[\w-]+)/.exec(text)![1];
    await anonymous.get(path).expect(200);
    t.clock.advance(31 * MINUTE);
    await anonymous.get(path).expect(404);
  });
});
