import { ACCOUNT_ERROR_CODES } from './accounts/accounts.errors.js';
import { APPROVAL_ERROR_CODES } from './approvals/approvals.errors.js';
import type { PasswordProblem } from './accounts/password-policy.js';
import { CERTIFICATE_ERROR_CODES } from './certificates/certificates.errors.js';
import { COMMON_ERROR_CODES } from './common/errors.js';
import { FINDING_CODES, PARSE_ERROR_CODES } from './csr/csr.errors.js';
import type { DomainNameProblem } from './domains/domain-name.js';
import { DOMAIN_ERROR_CODES } from './domains/domains.errors.js';
import { FEDERATION_ERROR_CODES } from './federation/federation.errors.js';
import { ORDER_ERROR_CODES } from './orders/orders.errors.js';
import { EXPIRY_ERROR_CODES } from './expiry/expiry.errors.js';
import { PEOPLE_ERROR_CODES } from './people/people.errors.js';
import { PRODUCT_ERROR_CODES } from './products/products.errors.js';

// Certificate requests and the CA port. Their codes belong beside their error classes, in
// src/requests/requests.errors.ts and src/ca/ca.errors.ts; until they move there they are
// listed here.
const REQUEST_ERROR_CODES = [
  'product_unknown',
  'product_not_allowed',
  'organisation_identity_not_current',
  'evidence_too_large',
  'request_refused',
  'request_action_not_allowed',
  'request_changed',
  'request_action_forbidden',
  // A decision that came too late: how the request ended meanwhile.
  'request_already_approved',
  'request_already_rejected',
  'request_already_cancelled',
  'request_already_expired',
  'request_already_approved_by_you',
  'upload_too_large',
  'upload_invalid',
] as const;

const CA_ERROR_CODES = ['ca_unavailable', 'ca_outcome_unknown'] as const;

// Codes whose error names its own message (DomainError.messageKey): a CA's refusal is shown
// in the CA's words (ca.codes.*, checked by src/ca's tests).
export const OWN_MESSAGE_CODES = ['ca_refused'] as const;

// Every code a DomainError or a field problem can carry: the filter shows errors.<code>,
// or csr.findings.<CODE> for the CSR engine's codes. error-codes.spec.ts checks that each
// has a message in every language, and that no message is left without a code.
export const ERROR_CODES = [
  ...COMMON_ERROR_CODES,
  ...ACCOUNT_ERROR_CODES,
  ...PEOPLE_ERROR_CODES,
  ...APPROVAL_ERROR_CODES,
  ...DOMAIN_ERROR_CODES,
  ...PRODUCT_ERROR_CODES,
  ...REQUEST_ERROR_CODES,
  ...CA_ERROR_CODES,
  ...CERTIFICATE_ERROR_CODES,
  ...FEDERATION_ERROR_CODES,
  ...ORDER_ERROR_CODES,
  ...EXPIRY_ERROR_CODES,
] as const;

export const CSR_ERROR_CODES = [...PARSE_ERROR_CODES, ...FINDING_CODES] as const;

export type ErrorCode =
  | (typeof ERROR_CODES)[number]
  | (typeof CSR_ERROR_CODES)[number]
  | (typeof OWN_MESSAGE_CODES)[number];

// Problem codes computed elsewhere are codes too: this fails to compile when one is not.
type Listed<T extends ErrorCode> = T;
export type ComputedCodes = Listed<PasswordProblem | DomainNameProblem>;
