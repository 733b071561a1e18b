import { DomainError } from '../common/errors.js';

export const ORDER_ERROR_CODES = [
  'certificate_not_revocable',
  'certificate_not_replaceable',
  'revocation_reason_unknown',
  'order_number_invalid',
  'revocation_request_open',
  'revocation_request_decided',
] as const;

// Revoked, superseded by a revocation elsewhere, or expired: nothing to revoke.
export class CertificateNotRevocable extends DomainError {
  constructor() {
    super('conflict', 'certificate_not_revocable');
  }
}

// An imported certificate has no order at the CA to put a new CSR on.
export class CertificateNotReplaceable extends DomainError {
  constructor() {
    super('conflict', 'certificate_not_replaceable');
  }
}

// One open revocation request per certificate (the unique key on revocation_requests).
export class RevocationRequestOpen extends DomainError {
  constructor() {
    super('conflict', 'revocation_request_open');
  }
}

// Approved, refused or overtaken by a revocation meanwhile: nothing left to decide.
export class RevocationRequestDecided extends DomainError {
  constructor() {
    super('conflict', 'revocation_request_decided');
  }
}
