import { CSR_ERROR_CODES, ERROR_CODES, OWN_MESSAGE_CODES } from './error-codes.js';
import { loadCatalogue } from './i18n/i18n.service.js';
import { LANGUAGES } from './i18n/languages.js';

const catalogue = loadCatalogue();
const keyOf = (code: string) =>
  (CSR_ERROR_CODES as readonly string[]).includes(code) ? `csr.findings.${code}` : `errors.${code}`;
const ALL: string[] = [...ERROR_CODES, ...CSR_ERROR_CODES];
const placeholders = (text: string): string[] =>
  [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('error codes', () => {
  it('are listed once each', () => {
    const all = [...ALL, ...OWN_MESSAGE_CODES];
    expect(all.filter((code, i) => all.indexOf(code) !== i)).toEqual([]);
  });

  it.each(LANGUAGES.map((l) => [l]))('%s has a message for every code', (lang) => {
    const messages = catalogue.get(lang)!;
    expect(ALL.filter((code) => !messages.get(keyOf(code))?.trim())).toEqual([]);
  });

  it('every error message belongs to a listed code', () => {
    const listed = new Set(ERROR_CODES as readonly string[]);
    const orphans = [...catalogue.get('en')!.keys()]
      .filter((k) => k.startsWith('errors.') && !k.startsWith('errors.title.'))
      .map((k) => k.slice('errors.'.length))
      .filter((code) => code !== 'requestId' && !listed.has(code));
    expect(orphans).toEqual([]);
  });

  it.each(LANGUAGES.filter((l) => l !== 'en').map((l) => [l]))(
    '%s uses the same placeholders as English',
    (lang) => {
      const en = catalogue.get('en')!;
      const messages = catalogue.get(lang)!;
      for (const code of ERROR_CODES) {
        const key = keyOf(code);
        expect({ code, placeholders: placeholders(messages.get(key) ?? '') }).toEqual({
          code,
          placeholders: placeholders(en.get(key)!),
        });
      }
    },
  );
});
