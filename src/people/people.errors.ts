import { DomainError } from '../common/errors.js';

export const PEOPLE_ERROR_CODES = [
  'role_unknown',
  'role_not_yours',
  'already_has_role',
  'invitation_unknown',
  'invitation_expired',
  'invitation_used',
  'invitation_withdrawn',
  'invitation_other_account',
  'invitation_login_first',
  'own_role',
  'password_reset_invalid',
] as const;

export class InvitationInvalid extends DomainError {
  constructor(reason: 'unknown' | 'expired' | 'used' | 'withdrawn') {
    super('not-found', `invitation_${reason}`);
  }
}

// A "forgot password" link that was used, ran out or was replaced by a newer one.
export class ResetLinkInvalid extends DomainError {
  constructor() {
    super('not-found', 'password_reset_invalid');
  }
}
