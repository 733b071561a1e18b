import { I18nService } from '../../i18n/i18n.service.js';
import { localiseDetail } from './dcv-detail.js';

describe('check details in the reader language', () => {
  const i18n = new I18nService();
  const inLang =
    (lang: 'en' | 'fr' | 'de' | 'sv') => (key: string, params?: Record<string, string>) =>
      i18n.t(lang, key, params);

  it('translates the phrases and keeps names, values and addresses', () => {
    expect(
      localiseDetail(
        'TXT _tcs-ra-challenge.example.org: the name does not exist (NXDOMAIN)',
        inLang('de'),
      ),
    ).toBe('TXT _tcs-ra-challenge.example.org: der Name existiert nicht (NXDOMAIN)');
    expect(
      localiseDetail(
        'HTTP 404 from http://example.org/.well-known/pki-validation/x.txt, 9 bytes: "Not Found"',
        inLang('fr'),
        'fr',
      ),
    ).toBe(
      'HTTP 404 de http://example.org/.well-known/pki-validation/x.txt, 9\u202foctets\u202f: "Not Found"',
    );
    expect(localiseDetail('no answer within 2 s (DNS TXT)', inLang('sv'))).toBe(
      'inget svar inom 2 s (DNS TXT)',
    );
    expect(localiseDetail('TXT x: "a"; expected "b"', inLang('en'))).toBe(
      'TXT x: "a"; expected "b"',
    );
  });

  it('has every phrase in every language', () => {
    for (const key of [
      'nxdomain',
      'nodata',
      'dnsTimeout',
      'noRecords',
      'noAddress',
      'timeout',
      'resolvesTo',
      'withoutLocation',
      'redirectedFrom',
      'redirectStatuses',
      'redirectScheme',
      'redirectPort',
      'redirectOutside',
      'tooManyRedirects',
      'closedEarly',
      'expected',
      'moreBytes',
      'bytes',
      'from',
      'redirectTo',
    ]) {
      expect(i18n.has(`dcv.detail.${key}`)).toBe(true);
    }
  });
});
