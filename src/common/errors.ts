// Services throw DomainError; DomainErrorFilter turns the kind into an HTTP status and the
// code into a localised message (i18n key errors.<code>).
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'too-large'
  | 'rate-limited'
  | 'unavailable';

export type ErrorParams = Record<string, string | number>;

// Codes any feature may use: the general failures, and the field problems of the shared
// input rules (common/input.ts). Each feature lists its own in <feature>.errors.ts; all of
// them together are ErrorCode (src/error-codes.ts), each with a message in every language.
export const COMMON_ERROR_CODES = [
  'internal',
  'not_found',
  'forbidden',
  'unauthenticated',
  'validation_failed',
  'stale_object',
  'stale_form',
  'conflict',
  'too_large',
  'rate_limited',
  'http_400',
  'required',
  'invalid',
  'too_long',
  'too_many',
  'email_invalid',
  'country_invalid',
  'language_unknown',
  'name_taken',
  // A unique key refused an e-mail address (two requests at once; see database/unique-keys.ts).
  'email_taken',
  'control_characters',
  'control_characters_text',
] as const;

export interface FieldProblem {
  field: string;
  code: string;
  params?: ErrorParams;
}

export class DomainError extends Error {
  // Set when the message lives elsewhere than errors.<code> (a CA's refusal, in ca.json).
  messageKey?: string;

  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    readonly params: ErrorParams = {},
    readonly problems: FieldProblem[] = [],
  ) {
    super(code);
    this.name = new.target.name;
  }
}

export class ValidationFailed extends DomainError {
  constructor(problems: FieldProblem[]) {
    super('invalid', 'validation_failed', {}, problems);
  }
}

export class NotFound extends DomainError {
  constructor(what = 'object') {
    super('not-found', 'not_found', { what });
  }
}

export class Unauthenticated extends DomainError {
  constructor() {
    super('unauthenticated', 'unauthenticated');
  }
}

export class Forbidden extends DomainError {
  constructor() {
    super('forbidden', 'forbidden');
  }
}

// Someone else changed the object since the form was loaded (optimistic lock).
export class StaleObject extends DomainError {
  constructor() {
    super('conflict', 'stale_object');
  }
}

export function httpStatusOf(kind: ErrorKind): number {
  switch (kind) {
    case 'invalid':
      return 422;
    case 'unauthenticated':
      return 401;
    case 'forbidden':
      return 403;
    case 'not-found':
      return 404;
    case 'conflict':
      return 409;
    case 'too-large':
      return 413;
    case 'rate-limited':
      return 429;
    case 'unavailable':
      return 503;
  }
}
