import type { CaAccount, CaOrderRequest, CaProfile } from '../ca-client.js';

// The fields of !AutoApplySSL this adapter can fill in.
export type OrderField =
  | 'loginName'
  | 'loginPassword'
  | 'product'
  | 'csr'
  | 'days'
  | 'serverSoftware'
  | 'responseFormat'
  | 'showCertificateID'
  | 'isCustomerValidated'
  | 'test'
  | 'foreignOrderNumber'
  | 'prioritiseCSRValues'
  | 'emailAddress'
  | 'domainNames'
  | 'primaryDomainName'
  | 'organizationName'
  | 'streetAddress1'
  | 'localityName'
  | 'stateOrProvinceName'
  | 'postalCode'
  | 'countryName';

const COMMON: readonly OrderField[] = [
  'loginName',
  'loginPassword',
  'product',
  'csr',
  'days',
  'serverSoftware',
  'responseFormat',
  'showCertificateID',
  'isCustomerValidated',
  'test',
  'foreignOrderNumber',
  'prioritiseCSRValues',
  'emailAddress',
];

const ORGANISATION: readonly OrderField[] = [
  'organizationName',
  'streetAddress1',
  'localityName',
  'stateOrProvinceName',
  'postalCode',
  'countryName',
];

// Which fields each kind of product sends. The reference was gathered from client code, not
// from the CA: if the CA wants a field added or dropped for a product, change it here. EV
// orders send what OV orders send until the CA's EV fields are known.
export const ORDER_FIELDS: Readonly<Record<CaProfile, readonly OrderField[]>> = {
  'ov-single': [...COMMON, ...ORGANISATION],
  'ov-multi-domain': [...COMMON, ...ORGANISATION, 'domainNames', 'primaryDomainName'],
  'ev-single': [...COMMON, ...ORGANISATION],
  'ev-multi-domain': [...COMMON, ...ORGANISATION, 'domainNames', 'primaryDomainName'],
  'code-signing': [...COMMON, ...ORGANISATION],
  'ev-code-signing': [...COMMON, ...ORGANISATION],
};

// The TCS catalogue (migration 1795000003000) by product code.
const PROFILE_BY_CODE: Readonly<Record<string, CaProfile>> = {
  OV_SSL: 'ov-single',
  OV_MULTI: 'ov-multi-domain',
  WILDCARD_SSL: 'ov-single',
  EV_SSL: 'ev-single',
  EV_MULTI: 'ev-multi-domain',
  IGTF_MULTI: 'ov-multi-domain',
  CODE_SIGNING: 'code-signing',
  EV_CODE_SIGNING: 'ev-code-signing',
};

// Which profile a catalogue product orders with; products added later by their kind and
// size (a single-name product covers a name and its www. twin, hence two names).
export function profileOf(product: {
  code: string;
  kind: 'tls' | 'code-signing';
  maxNames: number;
}): CaProfile {
  const known = PROFILE_BY_CODE[product.code];
  if (known) {
    return known;
  }
  if (product.kind === 'code-signing') {
    return 'code-signing';
  }
  return product.maxNames > 2 ? 'ov-multi-domain' : 'ov-single';
}

export interface OrderOptions {
  testOrders: boolean;
}

// The form an order is sent as: every value we could send, then only the profile's fields.
// Empty values are left out rather than sent blank. The product id is resolved by the caller.
export function orderForm(
  account: CaAccount,
  productId: number,
  order: CaOrderRequest,
  options: OrderOptions,
): URLSearchParams {
  const org = order.organisation;
  const values: Record<OrderField, string | null | undefined> = {
    loginName: account.loginName,
    loginPassword: account.password,
    product: String(productId),
    csr: order.csrPem,
    days: String(order.days),
    // -1: other; the RA does not know the server software.
    serverSoftware: '-1',
    responseFormat: '1',
    showCertificateID: 'Y',
    // The RA has validated the organisation and its domains.
    isCustomerValidated: 'Y',
    test: options.testOrders ? 'Y' : null,
    foreignOrderNumber: order.foreignOrderNumber,
    prioritiseCSRValues: 'N',
    // The RA hands the certificate over; the CA should not mail it too.
    emailAddress: 'none',
    domainNames: order.names.join(','),
    primaryDomainName: order.names[0],
    organizationName: org?.name,
    streetAddress1: org?.street,
    localityName: org?.locality,
    stateOrProvinceName: org?.state,
    postalCode: org?.postalCode,
    countryName: org?.country,
  };
  const form = new URLSearchParams();
  for (const field of ORDER_FIELDS[order.profile]) {
    const value = values[field];
    if (value !== null && value !== undefined && value !== '') {
      form.append(field, value);
    }
  }
  return form;
}
