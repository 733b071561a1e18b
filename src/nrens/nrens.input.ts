import { z } from 'zod';
import { field } from '../common/input.js';
import { LANGUAGES } from '../i18n/languages.js';

// "OV_SSL=1234" lines (the form) or an object (the API).
const productIds = z.preprocess(
  (v) => {
    if (typeof v !== 'string') {
      return v ?? {};
    }
    const entries = v
      .split(/[\n,;]+/)
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => line.split('=').map((s) => s.trim()));
    return Object.fromEntries(
      entries.map(([k, id]) => [k, /^\d+$/.test(id ?? '') ? Number(id) : id]),
    );
  },
  z.record(
    z.string().regex(/^[A-Z0-9_-]{1,32}$/, 'product_code_invalid'),
    z.number({ error: 'product_id_invalid' }).int().positive('product_id_invalid'),
  ),
);

export const nrenInput = z.object({
  name: field.text(200),
  country: field.country(),
  contactEmail: field.email(),
  defaultLanguage: z.enum(LANGUAGES, { error: 'language_unknown' }),
  caLoginName: field.optionalText(100),
  // Blank keeps the stored password.
  caPassword: field.optionalText(200),
  caCustomerId: field.optionalText(64),
  caProductIds: productIds,
  codeSigningEvidenceRequired: field.flag(),
});
export const nrenUpdateInput = nrenInput.extend({ version: field.version() });
