import { DomainError } from '../common/errors.js';

export class DomainLinkInvalid extends DomainError {
  constructor() {
    super('not-found', 'domain_link_invalid');
  }
}
