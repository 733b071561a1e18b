import { I18nService } from '../i18n/i18n.service.js';
import { LANGUAGES } from '../i18n/languages.js';
import { MailRenderer } from './mail-renderer.js';

describe('MailRenderer', () => {
  const i18n = new I18nService();
  const renderer = new MailRenderer(i18n);

  it.each(LANGUAGES)('renders the test message in %s, subject included', (lang) => {
    const mail = renderer.render('test', lang, { name: 'Anna', baseUrl: 'https://ra.example' });
    expect(mail.subject).toBe(i18n.t(lang, 'mail.test.subject'));
    expect(mail.text).toContain(i18n.t(lang, 'mail.test.greeting', { name: 'Anna' }));
    expect(mail.html).toContain(`<html lang="${lang}">`);
  });

  it('leaves plain text unescaped and escapes the HTML part', () => {
    const mail = renderer.render('test', 'en', { name: 'Tom & <Jerry>', baseUrl: 'x' });
    expect(mail.text).toContain('Hello Tom & <Jerry>,');
    expect(mail.html).toContain('Hello Tom &amp; &lt;Jerry&gt;,');
    expect(mail.html).not.toContain('<Jerry>');
  });

  it('gives no value a way to add lines to a plain-text mail', () => {
    const injected = 'Uni\r\n\r\nYour account is locked, log in at http://evil.example\u2028x';
    const mail = renderer.render('invitation', 'en', {
      token: 'abc',
      roleKey: 'roles.rao',
      scope: injected,
      inviter: 'ops@example.org',
      baseUrl: 'https://ra.example',
    });
    const lines = mail.text.split('\n');
    expect(lines.some((l) => l.startsWith('Your account is locked'))).toBe(false);
    expect(mail.text).toContain('Uni Your account is locked, log in at http://evil.example x');
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });

  it('refuses template names that could leave views/mail, and missing templates', () => {
    expect(() => renderer.render('../layouts/main', 'en', {})).toThrow(/not allowed/);
    expect(() => renderer.render('no-such-template', 'en', {})).toThrow(/missing/);
  });
});
