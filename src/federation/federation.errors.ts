import { DomainError } from '../common/errors.js';

export const FEDERATION_ERROR_CODES = [
  'federation_refused',
  'federation_login_expired',
  'federation_idp_unknown',
  'federation_identity_unknown',
  'federation_identity_taken',
  'federation_unavailable',
  'local_login_not_allowed',
  'identity_last',
] as const;

// The IdP's answer was not accepted. The reason goes to the log, not to the page: it helps an
// operator and would only help an attacker.
export class FederatedLoginRefused extends DomainError {
  constructor(readonly reason: string) {
    super('forbidden', 'federation_refused');
  }
}

export class FederatedLoginExpired extends DomainError {
  constructor() {
    super('forbidden', 'federation_login_expired');
  }
}

export class IdentityProviderUnknown extends DomainError {
  constructor() {
    super('not-found', 'federation_idp_unknown');
  }
}

// The institution vouched for the person, but no account here is bound to that identity.
export class FederatedIdentityUnknown extends DomainError {
  constructor() {
    super('forbidden', 'federation_identity_unknown');
  }
}

export class FederatedIdentityTaken extends DomainError {
  constructor() {
    super('conflict', 'federation_identity_taken');
  }
}

// Password login is closed for this person (LOCAL_LOGIN or their NREN's policy).
export class LocalLoginNotAllowed extends DomainError {
  constructor() {
    super('unauthenticated', 'local_login_not_allowed');
  }
}

export class FederatedLoginDisabled extends DomainError {
  constructor() {
    super('not-found', 'not_found', { what: 'page' });
  }
}

// The identity provider could not be reached (OIDC discovery failed): try again later.
export class FederationUnavailable extends DomainError {
  constructor(readonly reason: string) {
    super('unavailable', 'federation_unavailable');
  }
}
