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

// Codes of the import's per-item outcomes and of the store's refusals (errors.<code>).
export const CERTIFICATE_ERROR_CODES = [
  'certificate_unreadable',
  'certificate_exists',
  'certificate_duplicate',
  'import_no_certificate',
  'import_too_many',
] as const;
