import { DomainError } from '../common/errors.js';

export class DomainLinkInvalid extends DomainError {
  constructor() {
    super('not-found', 'domain_link_invalid');
  }
}

// The e-mail link of a domain that was validated by another method after it was sent.
export class DomainLinkSuperseded extends DomainError {
  constructor(domain: string, date: string) {
    super('conflict', 'domain_link_superseded', { domain, date });
  }
}
