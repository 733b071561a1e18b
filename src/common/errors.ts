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
