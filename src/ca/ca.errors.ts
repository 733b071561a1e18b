import { DomainError } from '../common/errors.js';
import type { CaRefusal } from './ca-client.js';

export type CaOperation = 'order' | 'collect' | 'revoke' | 'replace';

// The CA gave a definite answer: no. Retrying the same call will not change it. The error
// page shows the refusal's own message (ca.codes.*), never the bare code.
export class CaRefused extends DomainError {
  constructor(
    readonly operation: CaOperation,
    readonly refusal: CaRefusal,
  ) {
    super('conflict', 'ca_refused', refusal.params);
    this.messageKey = refusal.messageKey;
  }

  get caCode(): number | null {
    return this.refusal.caCode;
  }
}

// What went wrong on the way, for logs and for the RAO's view of an order; never a secret.
export type CaFailureCause =
  | 'connect-failed'
  | 'connect-timeout'
  | 'tls-untrusted'
  | 'reply-timeout'
  | 'connection-dropped'
  | 'http-status'
  | 'unparseable-reply'
  | 'ca-busy';

// Nothing reached the CA, or the call is safe to repeat (collect, revoke): try again later.
export class CaUnavailable extends DomainError {
  constructor(
    readonly operation: CaOperation,
    readonly failure: CaFailureCause,
    readonly detail: string,
    readonly attempts: number,
  ) {
    super('unavailable', 'ca_unavailable', { operation });
  }
}

// The call was sent and no usable answer came back: the order may or may not have been
// placed. It must not be sent again by itself; an RAO reconciles with the CA.
export class CaOutcomeUnknown extends DomainError {
  constructor(
    readonly operation: CaOperation,
    readonly failure: CaFailureCause,
    readonly detail: string,
  ) {
    super('unavailable', 'ca_outcome_unknown', { operation });
  }
}
