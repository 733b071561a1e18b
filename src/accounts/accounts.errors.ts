import { DomainError } from '../common/errors.js';

export const ACCOUNT_ERROR_CODES = [
  'login_failed',
  'login_throttled',
  'account_exists',
  'csrf_failed',
  'password_too_short',
  'password_too_long',
  'password_too_common',
  'password_contains_email',
  'password_wrong',
  'second_factor_wrong',
  'second_factor_missing',
  'second_factor_present',
] as const;

// Same message whether or not the account exists.
export class LoginFailed extends DomainError {
  constructor() {
    super('unauthenticated', 'login_failed');
  }
}

export class LoginThrottled extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('rate-limited', 'login_throttled', { seconds: retryAfterSeconds });
  }
}

export class AccountExists extends DomainError {
  constructor(email: string) {
    super('conflict', 'account_exists', { email });
  }
}

export class CsrfFailed extends DomainError {
  constructor() {
    super('forbidden', 'csrf_failed');
  }
}

// A wrong, spent or mistyped code: the same message for each.
export class SecondFactorWrong extends DomainError {
  constructor() {
    super('invalid', 'second_factor_wrong', {}, [{ field: 'code', code: 'second_factor_wrong' }]);
  }
}

export class SecondFactorMissing extends DomainError {
  constructor() {
    super('conflict', 'second_factor_missing');
  }
}

export class SecondFactorPresent extends DomainError {
  constructor() {
    super('conflict', 'second_factor_present');
  }
}
