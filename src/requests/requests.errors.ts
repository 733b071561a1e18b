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

// Someone else decided first: the person is told how it ended, not just that it moved on.
export const DECIDED_STATUSES = ['approved', 'rejected', 'cancelled', 'expired'] as const;
export class RequestAlreadyDecided extends DomainError {
  constructor(
    readonly action: RequestAction,
    readonly status: (typeof DECIDED_STATUSES)[number],
  ) {
    super('conflict', `request_already_${status}`, { action, status });
  }
}

// N-of-M: this person's approval is already counted.
export class RequestApprovedByYou extends DomainError {
  constructor() {
    super('conflict', 'request_already_approved_by_you');
  }
}
