import { DomainError } from '../common/errors.js';

// certificate_*: storing; date_invalid: a list filter's date (certificate-query.ts);
// certificate_duplicate and import_*: the outcomes of an import (certificate-import.ts).
export const CERTIFICATE_ERROR_CODES = [
  'certificate_unreadable',
  'certificate_exists',
  'date_invalid',
  'certificate_duplicate',
  'import_no_certificate',
  'import_too_many',
] as const;

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
