import { configProblems as problemsOf } from '../src/config/env.js';
import { loadMailConfig } from '../src/config/mail.config.js';

describe('mail configuration', () => {
  it('keeps mail in the outbox when no SMTP server is named', () => {
    expect(loadMailConfig({})).toEqual({
      transport: 'outbox',
      smtpUrl: null,
      from: 'TCS RA <ra@localhost>',
    });
  });

  it('sends through SMTP once SMTP_URL is set, unless told to keep the outbox', () => {
    const env = {
      SMTP_URL: 'smtp://ra:secret@mail.example.org:587',
      MAIL_FROM: 'RA <ra@example.org>',
    };
    expect(loadMailConfig(env)).toEqual({
      transport: 'smtp',
      smtpUrl: 'smtp://ra:secret@mail.example.org:587',
      from: 'RA <ra@example.org>',
      connections: 8,
    });
    expect(loadMailConfig({ ...env, SMTP_CONNECTIONS: '3' })).toMatchObject({ connections: 3 });
    expect(loadMailConfig({ ...env, MAIL_TRANSPORT: 'outbox' }).transport).toBe('outbox');
    expect(loadMailConfig({ SMTP_URL: 'smtps://mail.example.org' }).transport).toBe('smtp');
  });

  it('refuses MAIL_TRANSPORT=smtp without SMTP_URL, naming the variable', () => {
    expect(problemsOf(() => loadMailConfig({ MAIL_TRANSPORT: 'smtp' }))).toEqual([
      'SMTP_URL: is required when MAIL_TRANSPORT=smtp',
    ]);
  });

  it.each([
    [{ MAIL_TRANSPORT: 'sendmail' }, 'MAIL_TRANSPORT'],
    [{ SMTP_URL: 'http://mail.example.org' }, 'SMTP_URL'],
    [{ SMTP_URL: 'mail.example.org:25' }, 'SMTP_URL'],
    [{ MAIL_FROM: 'not an address' }, 'MAIL_FROM'],
    [{ MAIL_FROM: 'a@example.org, b@example.org' }, 'MAIL_FROM'],
    [{ SMTP_CONNECTIONS: '0' }, 'SMTP_CONNECTIONS'],
    [{ SMTP_CONNECTIONS: '2.5' }, 'SMTP_CONNECTIONS'],
  ])('refuses %j naming %s', (env, variable) => {
    const problems = problemsOf(() => loadMailConfig(env));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable}: `));
  });

  it('does not repeat the SMTP password in its complaint', () => {
    const problems = problemsOf(() => loadMailConfig({ SMTP_URL: 'imap://ra:hunter2@mail' }));
    expect(problems.join()).not.toContain('hunter2');
  });
});
