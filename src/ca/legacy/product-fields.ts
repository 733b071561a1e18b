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
// from the CA: if the CA wants a field added or dropped for a product, change it here.
export const ORDER_FIELDS: Readonly<Record<CaProfile, readonly OrderField[]>> = {
  'ov-single': [...COMMON, ...ORGANISATION],
  'ov-multi-domain': [...COMMON, ...ORGANISATION, 'domainNames', 'primaryDomainName'],
  'code-signing': [...COMMON, ...ORGANISATION],
};

// Which profile a catalogue product orders with.
export function profileOf(product: { kind: 'tls' | 'code-signing'; maxNames: number }): CaProfile {
  if (product.kind === 'code-signing') {
    return 'code-signing';
  }
  return product.maxNames > 1 ? 'ov-multi-domain' : 'ov-single';
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
