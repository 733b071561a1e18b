import { DomainError } from '../common/errors.js';

export const APPROVAL_ERROR_CODES = ['substitute_invalid', 'substitute_period_invalid'] as const;

// The person named cannot stand in: not an approver in the appointer's organisations, or the
// appointer themselves.
export class SubstituteInvalid extends DomainError {
  constructor() {
    super('invalid', 'substitute_invalid', {}, [
      { field: 'substitute', code: 'substitute_invalid' },
    ]);
  }
}

export class SubstitutePeriodInvalid extends DomainError {
  constructor() {
    super('invalid', 'substitute_period_invalid', {}, [
      { field: 'endsAt', code: 'substitute_period_invalid' },
    ]);
  }
}
