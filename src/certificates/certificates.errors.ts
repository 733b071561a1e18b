import { DomainError } from '../common/errors.js';

// certificate_*: storing; date_invalid: a list filter's date (certificate-query.ts);
// certificate_duplicate and import_*: the outcomes of an import (certificate-import.ts), the
// import_host_* ones those of a server named in a CSV (presented-certificates.ts).
export const CERTIFICATE_ERROR_CODES = [
  'certificate_unreadable',
  'certificate_exists',
  'date_invalid',
  'certificate_duplicate',
  'import_no_certificate',
  'import_too_many',
  'import_nothing',
  'import_one_kind',
  'import_no_hosts',
  'import_too_many_hosts',
  'import_host_invalid',
  'import_host_unresolvable',
  'import_host_private',
  'import_host_refused',
  'import_host_timeout',
  'import_host_tls',
  'import_host_no_certificate',
  'import_file_too_large',
  'import_too_many_files',
  'import_upload_invalid',
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
