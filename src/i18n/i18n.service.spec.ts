import { I18nService, loadCatalogue } from './i18n.service.js';
import { LANGUAGES } from './languages.js';

describe('translations', () => {
  const catalogue = loadCatalogue();

  it.each(LANGUAGES)('%s has every key that any other language has', (lang) => {
    const all = new Set([...catalogue.values()].flatMap((m) => [...m.keys()]));
    const missing = [...all].filter((key) => !catalogue.get(lang)!.has(key));
    expect(missing).toEqual([]);
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s keeps every {placeholder} of the English text', (lang) => {
    const wrong = [...catalogue.get('en')!].filter(([key, en]) => {
      const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join();
      return names(en) !== names(catalogue.get(lang)!.get(key) ?? '');
    });
    expect(wrong.map(([key]) => key)).toEqual([]);
  });
});

describe('I18nService', () => {
  const i18n = new I18nService();

  it('fills placeholders and falls back to the key when a message is unknown', () => {
    expect(i18n.t('en', 'errors.login_throttled', { seconds: 30 })).toContain('30 seconds');
    expect(i18n.t('de', 'no.such.key')).toBe('no.such.key');
  });

  it.each([
    ['de-CH,de;q=0.9,en;q=0.8', 'de'],
    ['en-GB;q=0.3, sv-SE;q=0.9', 'sv'],
    ['es, it;q=0.9', undefined],
    ['fr;q=0, nl', 'nl'],
    ['', undefined],
    ['*', undefined],
  ])('reads Accept-Language %j as %s', (header, expected) => {
    expect(i18n.fromAcceptLanguage(header)).toBe(expected);
  });
});
