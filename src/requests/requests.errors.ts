import { DomainError } from '../common/errors.js';
import type { CheckResult } from './csr-evaluation.service.js';
import type { RequestAction } from './request-lifecycle.js';
import type { RequestStatus } from './request-status.js';

// The CSR or the draft around it breaks a rule; the result says which, in the reader's language.
export class RequestRefused extends DomainError {
  constructor(readonly result: CheckResult) {
    super('invalid', 'request_refused');
  }
}

// The request's state does not allow this action: it has moved on, or never could.
export class RequestActionNotAllowed extends DomainError {
  constructor(
    readonly action: RequestAction,
    readonly status: RequestStatus,
  ) {
    super('conflict', 'request_action_not_allowed', { action, status });
  }
}

// Someone changed the request after the person acting on it loaded it (optimistic lock).
export class RequestChanged extends DomainError {
  constructor() {
    super('conflict', 'request_changed');
  }
}

// The person may see the request but not take this action on it; or the system tried a step
// that only a person takes.
export class RequestActionForbidden extends DomainError {
  constructor(readonly action: RequestAction) {
    super('forbidden', 'request_action_forbidden', { action });
  }
}
