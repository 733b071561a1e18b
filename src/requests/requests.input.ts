import { z } from 'zod';
import { field } from '../common/input.js';

export const KEY_PROTECTION = ['key-attestation', 'ca-token', 'audit'] as const;

// What a requester sends, from the form or the API, once the CSR and evidence are set aside.
export const draftInput = z.object({
  departmentId: field.id(),
  product: z.string({ error: 'required' }).trim().min(1, 'required'),
  validityDays: z.preprocess(
    (v) => (v === '' || v === undefined || v === null ? undefined : v),
    z.coerce.number({ error: 'invalid' }).optional(),
  ),
  extraNames: z.preprocess(
    (v) => (typeof v === 'string' ? v.split(/[\s,;]+/).filter(Boolean) : (v ?? [])),
    z.array(z.string().trim().max(253, 'too_long'), { error: 'invalid' }).max(100, 'too_many'),
  ),
  comment: field.optionalMultilineText(2000),
  keyProtection: z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.enum(KEY_PROTECTION, { error: 'invalid' }).optional(),
  ),
});

// A person acting on a request: the version they saw, and their words where the step takes them.
export const actionInput = z.object({
  version: field.version(),
  reason: field.optionalMultilineText(2000),
});
