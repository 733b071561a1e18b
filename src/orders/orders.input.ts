import { z } from 'zod';
import { REVOCATION_REASONS } from '../ca/ca-client.js';
import { field } from '../common/input.js';

// The RAO found the order at the CA: its number, and the version of the request they saw.
export const orderNumberInput = z.object({
  version: field.version(),
  orderNumber: z.string({ error: 'required' }).trim().min(1, 'required').max(64, 'too_long'),
  reason: field.optionalText(2000),
});

export const resendInput = z.object({
  version: field.version(),
  reason: field.optionalText(2000),
});

export const revokeInput = z.object({
  reason: z.enum(REVOCATION_REASONS, { error: 'revocation_reason_unknown' }),
  note: field.optionalText(500),
});
