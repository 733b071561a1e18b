import { loadCatalogue } from '../../i18n/i18n.service.js';
import { LANGUAGES } from '../../i18n/languages.js';
import { LEGACY_ERROR_CODES, refusalOf } from './legacy-codes.js';

describe('CA error codes', () => {
  const catalogue = loadCatalogue();

  it.each(LANGUAGES)('every documented code has a message in %s', (lang) => {
    const missing = [...LEGACY_ERROR_CODES, 'unknown']
      .map((code) => `ca.codes.${code}`)
      .filter((key) => !catalogue.get(lang)!.has(key));
    expect(missing).toEqual([]);
  });

  it('names the field the CA objected to, and keeps the CA text only for codes we do not know', () => {
    expect(refusalOf(-3, 'csr', 'ignored')).toEqual({
      caCode: -3,
      messageKey: 'ca.codes.-3',
      params: { item: 'csr' },
    });
    expect(refusalOf(-77, undefined, 'Something new')).toEqual({
      caCode: -77,
      messageKey: 'ca.codes.unknown',
      params: { code: -77, message: 'Something new' },
    });
  });
});
