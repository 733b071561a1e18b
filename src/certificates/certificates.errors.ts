import { DomainError } from '../common/errors.js';

export class CertificateUnreadable extends DomainError {
  constructor() {
    super('invalid', 'certificate_unreadable');
  }
}

// The same certificate (by SHA-256 fingerprint) is already stored for another request.
export class CertificateExists extends DomainError {
  constructor() {
    super('conflict', 'certificate_exists');
  }
}
