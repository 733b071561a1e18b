// The RA's side of the CA: what the lifecycle, the collector and revocation call. Adapters
// (the legacy Sectigo API today; a REST API or another CA later) translate to and from it,
// so nothing past this file sees a CA's raw replies.
//
// Every method either resolves with an answer or throws one of the three errors in
// ca.errors.ts: CaRefused (a definite no: record it, show the reason), CaUnavailable (the
// call did not get through or got no usable answer; nothing changed at the CA, or the call
// is safe to repeat: try again later), CaOutcomeUnknown (an order or replacement was sent
// and no answer came back: it may have been placed; never resend by itself, reconcile).

// What the CA calls a product: the fields an order carries depend on it (product-fields.ts).
export const CA_PROFILES = [
  'ov-single',
  'ov-multi-domain',
  'ev-single',
  'ev-multi-domain',
  'code-signing',
  'ev-code-signing',
] as const;
export type CaProfile = (typeof CA_PROFILES)[number];

// The NREN's account at the CA, handed in by the caller with every call (one RA serves
// several NRENs, each with an account of its own). productIds maps the RA's product code to
// the CA's numeric product id, with the NREN's overrides already applied.
export interface CaAccount {
  loginName: string;
  password: string;
  customerId: string | null;
  productIds: Readonly<Record<string, number>>;
}

// The organisation as validated by the RA, for OV and code-signing orders.
export interface CaOrganisation {
  name: string;
  street: string;
  locality: string;
  state: string | null;
  postalCode: string | null;
  // ISO 3166-1 alpha-2.
  country: string;
}

export interface CaOrderRequest {
  // Our own id for the order (the request id), sent as foreignOrderNumber so an order
  // whose reply was lost can be found at the CA.
  foreignOrderNumber: string;
  productCode: string;
  profile: CaProfile;
  csrPem: string;
  // Every name the certificate must carry; the first is the primary (common) name.
  names: readonly string[];
  days: number;
  organisation: CaOrganisation | null;
}

export interface CaOrderPlaced {
  orderNumber: string;
  // Set when the CA issued at once (rare); otherwise collect() later.
  issued: CaIssued | null;
}

export interface CaIssued {
  status: 'issued';
  certificatePem: string;
  certificateDer: Uint8Array;
  // PEM, from the leaf's issuer up towards the root (the CA's own order is not kept).
  chainPem: string[];
}

export type CaCollectResult =
  // Not issued yet (awaiting validation, being processed or being issued).
  | { status: 'pending' }
  | CaIssued
  // The CA rejected or cancelled the order: it will never be issued.
  | { status: 'refused'; refusal: CaRefusal }
  // It was issued and has since been revoked.
  | { status: 'revoked' };

// RFC 5280 5.3.1 reason names (value 7 is unused, removeFromCRL makes no sense here).
export const REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'privilegeWithdrawn',
  'aACompromise',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export type CaRevokeTarget = { orderNumber: string } | { serialNumber: string };

export interface CaRevokeResult {
  // The CA said it was revoked already (a repeated call, or revoked elsewhere).
  alreadyRevoked: boolean;
}

export interface CaReplaceRequest {
  orderNumber: string;
  csrPem: string;
  names: readonly string[];
}

// A definite refusal: the CA's numeric code when it gave one, and the i18n key (with its
// parameters) that says what it means in the reader's language.
export interface CaRefusal {
  caCode: number | null;
  messageKey: string;
  params: Record<string, string | number>;
}

export abstract class CaClient {
  // Places an order. Throws CaOutcomeUnknown when the order was sent and no answer came.
  abstract order(account: CaAccount, order: CaOrderRequest): Promise<CaOrderPlaced>;

  // Asks for the state of an order, and the certificate once issued. Safe to repeat.
  abstract collect(account: CaAccount, orderNumber: string): Promise<CaCollectResult>;

  // Revokes by order number or serial number (hex). Safe to repeat.
  abstract revoke(
    account: CaAccount,
    target: CaRevokeTarget,
    reason: RevocationReason,
  ): Promise<CaRevokeResult>;

  // Re-issues an order with a new CSR (same order, new key); collect() it afterwards.
  // Throws CaOutcomeUnknown like order().
  abstract replace(account: CaAccount, request: CaReplaceRequest): Promise<void>;
}
