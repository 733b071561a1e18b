import { DomainError } from '../common/errors.js';

export const PEOPLE_ERROR_CODES = [
  'role_unknown',
  'role_not_yours',
  'already_has_role',
  'invitation_unknown',
  'invitation_expired',
  'invitation_used',
  'invitation_other_account',
  'invitation_login_first',
] as const;

export class InvitationInvalid extends DomainError {
  constructor(reason: 'unknown' | 'expired' | 'used') {
    super('not-found', `invitation_${reason}`);
  }
}
