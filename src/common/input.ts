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

// How an edit treats the fields it leaves out. A form sends every field (an unticked box
// sends nothing, which means "off"), so it replaces them all; a PATCH names only what it
// changes, so the others keep their stored value. Services merge, controllers do not.
export type EditMode = 'replace' | 'merge';

export function editedInput(mode: EditMode, input: unknown, stored: object): unknown {
  if (mode === 'replace' || typeof input !== 'object' || input === null || Array.isArray(input)) {
    return input;
  }
  // The version is never taken from storage: it must be the one the caller saw.
  const { version: _version, ...kept } = stored as Record<string, unknown>;
  return { ...kept, ...input };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/;
const asString = (v: unknown) => (v === undefined || v === null ? '' : v);

// Names, addresses and the like end up in e-mail, certificates and logs, where a line break
// or another control character could add lines of someone else's choosing.
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
// Notes and comments may have lines and tabs, nothing else of that kind.
const CONTROL_BUT_LINES = /[\p{Cc}\u2028\u2029](?<![\n\r\t])/u;

// A list arrives from a form as one text (an entry per line, or separated by commas,
// semicolons or blanks; a multiple choice sends one value or several) and from the API as
// an array.
function splitList(v: unknown): unknown[] {
  if (v === undefined || v === null) {
    return [];
  }
  if (Array.isArray(v)) {
    return v as unknown[];
  }
  return typeof v === 'string' ? v.split(/[\s,;]+/).filter(Boolean) : [v];
}

// Trimmed text up to `max` characters, refusing the control characters `refused` matches.
function textField(max: number, required: boolean, refused: RegExp, code: string) {
  const text = z.string({ error: 'invalid' }).trim();
  return z.preprocess(
    asString,
    (required ? text.min(1, 'required') : text)
      .max(max, 'too_long')
      .refine((v) => !refused.test(v), code),
  );
}

const list = <T extends z.ZodType>(item: T, max: number, min = 0) =>
  z.preprocess(splitList, z.array(item).min(min, 'required').max(max, 'too_many'));

export const field = {
  text: (max: number) => textField(max, true, CONTROL, 'control_characters'),
  optionalText: (max: number) => textField(max, false, CONTROL, 'control_characters'),
  multilineText: (max: number) =>
    textField(max, true, CONTROL_BUT_LINES, 'control_characters_text'),
  optionalMultilineText: (max: number) =>
    textField(max, false, CONTROL_BUT_LINES, 'control_characters_text'),
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
  list,
  emailList: (max: number) =>
    list(z.string().trim().toLowerCase().max(254, 'too_long').regex(EMAIL, 'email_invalid'), max),
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
