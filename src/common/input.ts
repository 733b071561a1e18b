import { z } from 'zod';
import { COUNTRIES } from './countries.js';
import { ValidationFailed, type FieldProblem } from './errors.js';

// Form and API input pass through the same zod schemas. Each rule's message is one of our
// error codes (errors.<code> in i18n), so problems come back localised, naming the field.
function toProblem(issue: z.core.$ZodIssue): FieldProblem {
  const field = issue.path.map(String).join('.') || 'form';
  const params: Record<string, string | number> = {};
  if ('maximum' in issue && typeof issue.maximum === 'number') {
    params.max = issue.maximum;
  }
  if ('minimum' in issue && typeof issue.minimum === 'number') {
    params.min = issue.minimum;
  }
  const code = /^[a-z_]+$/.test(issue.message) ? issue.message : 'invalid';
  return { field, code, params };
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) {
    throw new ValidationFailed(result.error.issues.map(toProblem));
  }
  return result.data;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/;
const asString = (v: unknown) => (v === undefined || v === null ? '' : v);

// Names, addresses and the like end up in e-mail, certificates and logs, where a line break
// or another control character could add lines of someone else's choosing.
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
// Notes and comments may have lines and tabs, nothing else of that kind.
const CONTROL_BUT_LINES = /[\p{Cc}\u2028\u2029](?<![\n\r\t])/u;

export const field = {
  text: (max: number) =>
    z.preprocess(
      asString,
      z
        .string({ error: 'invalid' })
        .trim()
        .min(1, 'required')
        .max(max, 'too_long')
        .refine((v) => !CONTROL.test(v), 'control_characters'),
    ),
  optionalText: (max: number) =>
    z.preprocess(
      asString,
      z
        .string({ error: 'invalid' })
        .trim()
        .max(max, 'too_long')
        .refine((v) => !CONTROL.test(v), 'control_characters'),
    ),
  multilineText: (max: number) =>
    z.preprocess(
      asString,
      z
        .string({ error: 'invalid' })
        .trim()
        .min(1, 'required')
        .max(max, 'too_long')
        .refine((v) => !CONTROL_BUT_LINES.test(v), 'control_characters_text'),
    ),
  optionalMultilineText: (max: number) =>
    z.preprocess(
      asString,
      z
        .string({ error: 'invalid' })
        .trim()
        .max(max, 'too_long')
        .refine((v) => !CONTROL_BUT_LINES.test(v), 'control_characters_text'),
    ),
  email: () =>
    z.preprocess(
      asString,
      z
        .string({ error: 'invalid' })
        .trim()
        .toLowerCase()
        .min(1, 'required')
        .max(254, 'too_long')
        .regex(EMAIL, 'email_invalid'),
    ),
  emailList: (max: number) =>
    z.preprocess(
      (v) => (typeof v === 'string' ? v.split(/[\s,;]+/).filter(Boolean) : (v ?? [])),
      z
        .array(z.string().trim().toLowerCase().max(254, 'too_long').regex(EMAIL, 'email_invalid'), {
          error: 'invalid',
        })
        .max(max, 'too_many'),
    ),
  country: () =>
    z.preprocess(
      asString,
      z
        .string({ error: 'invalid' })
        .trim()
        .toUpperCase()
        .min(1, 'required')
        .refine((c) => COUNTRIES.has(c), 'country_invalid'),
    ),
  // HTML checkboxes send "on" or nothing; JSON sends a boolean.
  flag: () =>
    z.preprocess((v) => v === true || v === 'on' || v === 'true' || v === '1', z.boolean()),
  id: () => z.coerce.number({ error: 'invalid' }).int('invalid').positive('invalid'),
  version: () =>
    z.coerce.number({ error: 'stale_form' }).int('stale_form').nonnegative('stale_form'),
};
