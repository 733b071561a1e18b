import { DomainError } from '../common/errors.js';

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
