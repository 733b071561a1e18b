import { z } from 'zod';
import { field } from '../common/input.js';
import { PRODUCT_KINDS } from './product.entity.js';

const productFields = {
  name: field.text(100),
  kind: z.enum(PRODUCT_KINDS, { error: 'invalid' }),
  caProductId: z.preprocess(
    (v) => (v === '' || v === null || v === undefined ? null : v),
    z.coerce
      .number({ error: 'product_id_invalid' })
      .int('product_id_invalid')
      .positive('product_id_invalid')
      .nullable(),
  ),
  maxNames: z.coerce
    .number({ error: 'invalid' })
    .int('invalid')
    .min(1, 'invalid')
    .max(1000, 'invalid'),
  wildcardsAllowed: field.flag(),
  // N-of-M: how many different people approve a request for it; left out, one.
  approvalsRequired: z.preprocess(
    (v) => (v === '' || v === null || v === undefined ? 1 : v),
    z.coerce.number({ error: 'invalid' }).int('invalid').min(1, 'invalid').max(5, 'invalid'),
  ),
  validityTerms: field.list(
    z.coerce
      .number({ error: 'validity_term_invalid' })
      .int('validity_term_invalid')
      .min(1, 'validity_term_invalid')
      .max(1186, 'validity_term_invalid'),
    10,
    1,
  ),
  active: field.flag(),
};

export const productCreateInput = z.object({
  code: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toUpperCase() : v),
    z.string({ error: 'required' }).regex(/^[A-Z0-9_-]{1,32}$/, 'product_code_invalid'),
  ),
  ...productFields,
});
export const productUpdateInput = z.object({ ...productFields, version: field.version() });
