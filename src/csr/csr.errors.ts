import { DomainError, type ErrorParams } from '../common/errors.js';

// Messages live in i18n/<lang>/csr.json under findings.<CODE>; csr-i18n.spec.ts checks that
// every code below has one in every language.
export const PARSE_ERROR_CODES = [
  'CSR_EMPTY',
  'CSR_TOO_LARGE',
  'CSR_NOT_PEM_OR_DER',
  'CSR_BAD_PEM',
  'CSR_WRONG_PEM_TYPE',
  'CSR_MULTIPLE',
  'CSR_MALFORMED',
  'CSR_VERSION_UNSUPPORTED',
] as const;

export type CsrParseErrorCode = (typeof PARSE_ERROR_CODES)[number];

export class CsrParseError extends DomainError {
  constructor(
    override readonly code: CsrParseErrorCode,
    params: ErrorParams = {},
  ) {
    super('invalid', code, params);
  }
}

export const FINDING_CODES = [
  // proof of possession and signature (BR 6.1.1.3, Boulder)
  'SIGNATURE_INVALID',
  'SIG_ALG_NOT_ALLOWED',
  // key type and size (BR 6.1.5, 6.1.6, 7.1.3.1; CSBR 6.1.5.2)
  'KEY_ALGORITHM_NOT_ALLOWED',
  'KEY_CURVE_NOT_ALLOWED',
  'KEY_ENCODING_INVALID',
  'KEY_MALFORMED',
  'KEY_TOO_SMALL',
  'KEY_TOO_LARGE',
  'KEY_SIZE_NOT_MULTIPLE_OF_8',
  'KEY_EXPONENT_INVALID',
  'KEY_EXPONENT_NOT_65537',
  // weak and known keys (BR 6.1.1.3)
  'KEY_ROCA',
  'KEY_CLOSE_PRIMES',
  'KEY_SMALL_FACTOR',
  'KEY_DEBIAN_WEAK',
  'KEY_COMPROMISED',
  'KEY_USED_BY_OTHER_ORGANISATION',
  'KEY_REUSED',
  // subject and SAN (BR 7.1.2.7.12, 7.1.4.3)
  'SAN_TYPE_NOT_ALLOWED',
  'CN_MULTIPLE',
  'CN_NOT_IN_SAN',
  'NO_NAMES',
  'TOO_MANY_NAMES',
  'NAMES_NOT_ALLOWED_FOR_PRODUCT',
  'CODE_SIGNING_SAN_IGNORED',
  // name syntax and internal names (BR 4.2.2, 7.1.4.3)
  'NAME_TRAILING_DOT',
  'NAME_NOT_ASCII',
  'NAME_INVALID_LABEL',
  'NAME_RESERVED_LABEL',
  'NAME_INVALID_PUNYCODE',
  'NAME_TOO_LONG',
  'NAME_LABEL_TOO_LONG',
  'NAME_IP_AS_DNS',
  'NAME_INTERNAL',
  'NAME_IS_PUBLIC_SUFFIX',
  'NAME_REVERSE_DNS',
  'IP_MALFORMED',
  'IP_RESERVED',
  // wildcards (BR 3.2.2.6)
  'WILDCARD_INVALID',
  'WILDCARD_ON_PUBLIC_SUFFIX',
  'WILDCARD_NOT_ALLOWED_BY_PRODUCT',
  'WILDCARD_NOT_ALLOWED_FOR_DOMAIN',
  // the organisation's domains (BR 3.2.2.4, 4.2.1)
  'DOMAIN_NOT_FOUND',
  'DOMAIN_NOT_VALIDATED',
  'DOMAIN_VALIDATION_EXPIRED',
  'DOMAIN_NOT_DELEGATED',
  // validity (BR 6.3.2, CSBR 6.3.2)
  'VALIDITY_NOT_POSITIVE',
  'VALIDITY_NOT_WHOLE_DAYS',
  'VALIDITY_TOO_LONG',
  // code signing key protection (CSBR 6.2.7.4)
  'CODE_SIGNING_METHOD_MISSING',
  'CODE_SIGNING_EVIDENCE_MISSING',
] as const;

export type FindingCode = (typeof FINDING_CODES)[number];

export type FindingField = 'csr' | 'names' | 'validity' | 'product' | 'codeSigning' | 'extraNames';

export interface Finding {
  code: FindingCode;
  field: FindingField;
  name?: string;
  params: Record<string, string | number>;
}

export const ALL_CSR_CODES: readonly string[] = [...PARSE_ERROR_CODES, ...FINDING_CODES];
