import type { Finding, FindingCode, FindingField } from './csr.errors.js';

export type ProductKind = 'tls' | 'code-signing';

export interface ProductPolicy {
  code: string;
  kind: ProductKind;
  maxNames: number;
  wildcardsAllowed: boolean;
  maxValidityDays: number;
}

export interface OrganisationDomain {
  name: string;
  validated: boolean;
  validationExpiresAt: Date | null;
  delegatedToDepartment: boolean;
  wildcardsAllowed: boolean;
}

// Looked up by the caller from the SPKI SHA-256 (ParsedCsr.publicKey.spkiSha256).
export interface KeyHistory {
  compromised: boolean;
  usedByOtherOrganisation: boolean;
  usedInSameOrganisation: boolean;
}

export type HardwareProtectionMethod = 'key-attestation' | 'ca-token' | 'audit';

export interface CodeSigningContext {
  hardwareMethod?: HardwareProtectionMethod;
  evidenceRequired: boolean;
  hasEvidence: boolean;
}

export interface PolicyContext {
  now: Date;
  product: ProductPolicy;
  requestedValidityDays?: number;
  extraNames?: string[];
  domains: OrganisationDomain[];
  debianWeak: (modulusHexUpper: string) => boolean;
  keyHistory: KeyHistory;
  codeSigning?: CodeSigningContext;
}

export class FindingSink {
  readonly errors: Finding[] = [];
  readonly warnings: Finding[] = [];

  error(
    code: FindingCode,
    field: FindingField,
    params: Finding['params'] = {},
    name?: string,
  ): void {
    this.errors.push(finding(code, field, params, name));
  }

  warn(
    code: FindingCode,
    field: FindingField,
    params: Finding['params'] = {},
    name?: string,
  ): void {
    this.warnings.push(finding(code, field, params, name));
  }
}

// The offending name also goes into params so that messages can say {name}.
function finding(
  code: FindingCode,
  field: FindingField,
  params: Finding['params'],
  name: string | undefined,
): Finding {
  return name === undefined
    ? { code, field, params }
    : { code, field, name, params: { name, ...params } };
}
