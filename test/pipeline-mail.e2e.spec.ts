import 'reflect-metadata';
import { User } from '../src/accounts/user.entity.js';
import { Transactions } from '../src/database/transactions.js';
import { MailMessage } from '../src/mail/mail-message.entity.js';
import { CertificateRequest } from '../src/requests/certificate-request.entity.js';
import { DIALECT } from './support/databases.js';
import { agentFor, csrfFrom, login } from './support/http.js';
import { PipelineFixture } from './support/pipeline.js';
import { setPassword } from './support/requests.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const PASSWORD = 'requester-long-password-1';

// What the requester hears once the CA has answered: the certificate, or why there is none,
// in their own language, once, through the real orderer, collector and simulated CA.
describe(`e-mails on issuance and failure on ${DIALECT}`, () => {
  let t: TestApp;
  let fx: PipelineFixture;
  const em = () => t.get(Transactions).manager;
  const to = () => `req@${fx.domain}`;
  const mailsAbout = (template: string, requestId: number) =>
    em()
      .createQueryBuilder(MailMessage, 'm')
      .where('m.to_address = :to AND m.template = :template AND m.subject LIKE :id', {
        to: to(),
        template,
        id: `% ${requestId} %`,
      })
      .getMany();

  beforeAll(async () => {
    // The settling moves the clock on by hours; the account page's session must outlast it.
    t = await createTestApp({
      env: { SESSION_IDLE_TIMEOUT: '86400', SESSION_ABSOLUTE_TIMEOUT: '86400' },
    });
    fx = await new PipelineFixture(t).init('MAIL');
    await em().update(User, { id: fx.requester.id }, { language: 'de' });
  }, 60_000);
  afterAll(() => t?.close());
  afterEach(() => fx.sim.clearFaults());

  it('tells the requester once, in their language, where the certificate is and what to download', async () => {
    const { requestId, certificateId } = await fx.issued();
    // More rounds of both jobs: nothing is collected, and nothing mailed, twice.
    await fx.settle(3);
    const mails = await mailsAbout('request-issued', requestId);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail.language).toBe('de');
    expect(mail.subject).toBe(`Zertifikat für Antrag ${requestId} ausgestellt`);
    expect(mail.textBody).toContain(`host1.${fx.domain}`);
    expect(mail.textBody).toContain(`/certificates/${certificateId}\n`);
    expect(mail.textBody).toContain('Zertifikat und Zwischenzertifikate (PEM)');
    expect(mail.textBody).toContain(`/certificates/${certificateId}/fullchain\n`);
    expect(mail.textBody).toContain(`/certificates/${certificateId}/p7b\n`);
    // The approval mail came before it, also once.
    expect(await mailsAbout('request-approved', requestId)).toHaveLength(1);
  });

  it("gives the CA's refusal of the order in words, once", async () => {
    fx.sim.addFault('order', { code: -40 }, 1);
    const id = await fx.approved();
    await fx.settle(3);
    expect(await fx.status(id)).toBe('failed');
    const mails = await mailsAbout('request-failed', id);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe(`Antrag ${id} fehlgeschlagen`);
    expect(mails[0].textBody).toContain('Grund: Die CA hält den Schlüssel für kompromittiert.');
    expect(mails[0].textBody).not.toContain('ca.codes');
    expect(mails[0].textBody).toContain(`/requests/${id}\n`);
    expect(await mailsAbout('request-issued', id)).toHaveLength(0);
  });

  it('names what was wrong with a certificate that does not match the request', async () => {
    const id = await fx.approved();
    await fx.order$();
    expect(await fx.status(id)).toBe('ordered');
    // As if the CA had certified another key than the request's.
    await em().update(CertificateRequest, { id }, { spkiSha256: 'ab'.repeat(32) });
    await fx.settle(3);
    expect(await fx.status(id)).toBe('failed');
    const mails = await mailsAbout('request-failed', id);
    expect(mails).toHaveLength(1);
    expect(mails[0].textBody).toContain(
      'Das von der CA ausgestellte Zertifikat passt nicht zum Antrag',
    );
    expect(mails[0].textBody).toContain(
      '* Das Zertifikat gilt für einen anderen öffentlichen Schlüssel als den im Antrag.',
    );
  });

  it('sends neither to a requester who turned them off on their account page', async () => {
    await setPassword(t, fx.requester.id, PASSWORD);
    const agent = agentFor(t);
    expect((await login(agent, to(), PASSWORD)).status).toBe(303);
    const page = await agent.get('/account').expect(200);
    expect(page.text).toContain('value="request-issued" checked');
    expect(page.text).toContain('value="request-failed" checked');
    const kinds = ['request-approved', 'request-rejected', 'request-expired'];
    await agent
      .post('/account/notifications')
      .type('form')
      .send(
        `_csrf=${encodeURIComponent(csrfFrom(page.text))}&${kinds.map((k) => `kinds=${k}`).join('&')}`,
      )
      .expect(303);
    const after = (await agent.get('/account').expect(200)).text;
    expect(after).toMatch(/value="request-issued">/);
    expect(after).toMatch(/value="request-failed">/);

    const { requestId } = await fx.issued();
    fx.sim.addFault('order', { code: -40 }, 1);
    const failed = await fx.approved();
    await fx.settle(3);
    expect(await fx.status(failed)).toBe('failed');
    expect(await mailsAbout('request-issued', requestId)).toHaveLength(0);
    expect(await mailsAbout('request-failed', failed)).toHaveLength(0);
    // Still told of what they kept.
    expect(await mailsAbout('request-approved', requestId)).toHaveLength(1);
  });
});
