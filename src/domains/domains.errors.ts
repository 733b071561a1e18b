import { DomainError } from '../common/errors.js';

export const DOMAIN_ERROR_CODES = [
  'domain_link_invalid',
  // the name itself (domain-name.ts)
  'domain_invalid',
  'domain_too_long',
  'domain_label_too_long',
  'domain_not_public',
  'domain_public_suffix',
  'domain_confusable',
  // registering it
  'domain_already_registered',
  'domain_taken',
  'domain_taken_by',
  'dcv_method_unknown',
] as const;

export class DomainLinkInvalid extends DomainError {
  constructor() {
    super('not-found', 'domain_link_invalid');
  }
}
