import { z } from 'zod';
import { field } from '../common/input.js';
import { DCV_METHODS } from './dcv/dcv-challenge.js';

// BR 3.2.2.4.4: the constructed addresses for e-mail validation.
export const EMAIL_LOCAL_PARTS = [
  'admin',
  'administrator',
  'hostmaster',
  'postmaster',
  'webmaster',
];

export const domainInput = z.object({
  name: z.string({ error: 'required' }),
  wildcardsAllowed: field.flag(),
});
export const domainUpdateInput = z.object({
  wildcardsAllowed: field.flag(),
  departmentIds: field.list(z.coerce.number().int().positive('invalid'), 500),
  version: field.version(),
});
export const checkInput = z.object({
  method: z.enum(DCV_METHODS, { error: 'dcv_method_unknown' }),
});
export const manualInput = z.object({
  note: field.multilineText(1000),
  version: field.version(),
});
export const emailInput = z.object({ localPart: z.enum(EMAIL_LOCAL_PARTS, { error: 'invalid' }) });
