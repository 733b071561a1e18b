import { loadCatalogue } from '../i18n/i18n.service.js';
import { LANGUAGES } from '../i18n/languages.js';
import { ALL_CSR_CODES } from './csr.errors.js';

const catalogue = loadCatalogue();
const placeholders = (text: string): string[] =>
  [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('CSR messages', () => {
  const en = catalogue.get('en')!;

  it.each(LANGUAGES.map((l) => [l]))(
    '%s has a message for every parse and finding code',
    (lang) => {
      const messages = catalogue.get(lang)!;
      const missing = ALL_CSR_CODES.filter((code) => !messages.get(`csr.findings.${code}`)?.trim());
      expect(missing).toEqual([]);
      const known = new Set(ALL_CSR_CODES.map((c) => `csr.findings.${c}`));
      const extra = [...messages.keys()].filter((k) => k.startsWith('csr.') && !known.has(k));
      expect(extra).toEqual([]);
    },
  );

  it.each(LANGUAGES.filter((l) => l !== 'en').map((l) => [l]))(
    '%s is a translation with the same placeholders as English',
    (lang) => {
      const messages = catalogue.get(lang)!;
      for (const code of ALL_CSR_CODES) {
        const key = `csr.findings.${code}`;
        const text = messages.get(key)!;
        expect({ code, placeholders: placeholders(text) }).toEqual({
          code,
          placeholders: placeholders(en.get(key)!),
        });
        expect({ code, text }).not.toEqual({ code, text: en.get(key) });
      }
    },
  );
});
