import { CA_PROFILES, type CaAccount, type CaOrderRequest } from '../ca-client.js';
import { ORDER_FIELDS, orderForm, profileOf } from './product-fields.js';

const account: CaAccount = {
  loginName: 'nren',
  password: 's3cret',
  customerId: 'cust-1',
  productIds: {},
};

const order = (over: Partial<CaOrderRequest> = {}): CaOrderRequest => ({
  foreignOrderNumber: '42',
  productCode: 'OV',
  profile: 'ov-single',
  csrPem: '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n',
  names: ['www.example.org', 'example.org'],
  days: 199,
  organisation: {
    name: 'Université d’Exemple',
    street: '1 rue de la Paix',
    locality: 'Paris',
    state: null,
    postalCode: '75001',
    country: 'FR',
  },
  ...over,
});

describe('which fields a product sends', () => {
  it('single-name OV: organisation fields, our request id, no domainNames', () => {
    const form = orderForm(account, 1001, order(), { testOrders: false });
    expect([...form.keys()]).toEqual([
      'loginName',
      'loginPassword',
      'product',
      'csr',
      'days',
      'serverSoftware',
      'responseFormat',
      'showCertificateID',
      'isCustomerValidated',
      'foreignOrderNumber',
      'prioritiseCSRValues',
      'emailAddress',
      'organizationName',
      'streetAddress1',
      'localityName',
      'postalCode',
      'countryName',
    ]);
    expect(form.get('product')).toBe('1001');
    expect(form.get('days')).toBe('199');
    expect(form.get('responseFormat')).toBe('1');
    expect(form.get('foreignOrderNumber')).toBe('42');
    expect(form.get('organizationName')).toBe('Université d’Exemple');
    // No state given: the field is left out rather than sent empty.
    expect(form.has('stateOrProvinceName')).toBe(false);
    expect(form.has('test')).toBe(false);
  });

  it('multi-domain OV: every name in domainNames, the first as primaryDomainName', () => {
    const form = orderForm(account, 1002, order({ profile: 'ov-multi-domain' }), {
      testOrders: false,
    });
    expect(form.get('domainNames')).toBe('www.example.org,example.org');
    expect(form.get('primaryDomainName')).toBe('www.example.org');
  });

  it('code signing: the organisation, no domain names', () => {
    const form = orderForm(account, 1003, order({ profile: 'code-signing', names: [] }), {
      testOrders: false,
    });
    expect(form.has('domainNames')).toBe(false);
    expect(form.get('organizationName')).toBe('Université d’Exemple');
  });

  it('CA_TEST_ORDERS marks every order as a test order', () => {
    for (const profile of CA_PROFILES) {
      expect(orderForm(account, 1, order({ profile }), { testOrders: true }).get('test')).toBe('Y');
    }
  });

  it('the table is the only source of fields: a field not listed is not sent', () => {
    for (const profile of CA_PROFILES) {
      const sent = [...orderForm(account, 1, order({ profile }), { testOrders: true }).keys()];
      expect(sent.every((f) => (ORDER_FIELDS[profile] as string[]).includes(f))).toBe(true);
    }
    // The customer id is part of the account but the legacy API has no field for it.
    expect([...orderForm(account, 1, order(), { testOrders: true }).values()]).not.toContain(
      'cust-1',
    );
  });

  it.each([
    ['OV_SSL', 'tls', 2, 'ov-single'],
    ['OV_MULTI', 'tls', 100, 'ov-multi-domain'],
    ['WILDCARD_SSL', 'tls', 2, 'ov-single'],
    ['EV_SSL', 'tls', 2, 'ev-single'],
    ['EV_MULTI', 'tls', 100, 'ev-multi-domain'],
    ['IGTF_MULTI', 'tls', 100, 'ov-multi-domain'],
    ['CODE_SIGNING', 'code-signing', 1, 'code-signing'],
    ['EV_CODE_SIGNING', 'code-signing', 1, 'ev-code-signing'],
    ['LOCAL_SINGLE', 'tls', 2, 'ov-single'],
    ['LOCAL_SAN', 'tls', 10, 'ov-multi-domain'],
    ['LOCAL_CS', 'code-signing', 1, 'code-signing'],
  ] as const)(
    'the catalogue product %s (%s, %i names) orders as %s',
    (code, kind, maxNames, profile) => {
      expect(profileOf({ code, kind, maxNames })).toBe(profile);
    },
  );
});
