import 'reflect-metadata';
import { Logger, type LoggerService } from '@nestjs/common';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CA_PROFILES,
  type CaAccount,
  type CaIssued,
  type CaOrderRequest,
  type CaProfile,
} from '../src/ca/ca-client.js';
import { CaOutcomeUnknown, CaRefused, CaUnavailable } from '../src/ca/ca.errors.js';
import { LEGACY_ERROR_CODES } from '../src/ca/legacy/legacy-codes.js';
import { LegacyCaClient, type LegacyCaSettings } from '../src/ca/legacy/legacy-ca.client.js';
import { SimulatedCa } from '../src/ca/simulator/simulated-ca.js';
import { simProductId } from '../src/ca/simulator/sim-products.js';
import type { SimFaultKind, SimOperation } from '../src/config/ca.config.js';
import { I18nService } from '../src/i18n/i18n.service.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

// The adapter against the simulated CA, over real HTTPS on loopback.
const NOW = new Date('2026-06-01T09:00:00Z');
const REPLY_TIMEOUT_MS = 400;

let folder: string;
let sim: SimulatedCa;
let ca: LegacyCaClient;
let account: CaAccount;
let nextId = 1;

function client(overrides: Partial<LegacyCaSettings> = {}): LegacyCaClient {
  return new LegacyCaClient({
    baseUrl: new URL(sim.url),
    trust: [sim.trustPem],
    connectTimeoutMs: 2000,
    replyTimeoutMs: REPLY_TIMEOUT_MS,
    testOrders: true,
    retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    ...overrides,
  });
}

async function csrFor(names: string[], rsa = false): Promise<string> {
  const alg = rsa
    ? {
        name: 'RSASSA-PKCS1-v1_5',
        hash: 'SHA-256',
        publicExponent: new Uint8Array([1, 0, 1]),
        modulusLength: 2048,
      }
    : { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${names[0] ?? 'Example University'}`,
    keys,
    signingAlgorithm: alg,
    extensions: names.length
      ? [new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: 'dns', value })))]
      : [],
  });
  return csr.toString('pem');
}

async function anOrder(
  profile: CaProfile = 'ov-multi-domain',
  days = 100,
): Promise<CaOrderRequest> {
  const names = profile.endsWith('code-signing')
    ? []
    : profile === 'ov-single'
      ? ['www.example.org']
      : ['www.example.org', 'example.org'];
  return {
    foreignOrderNumber: `req-${nextId++}`,
    productCode: profile,
    profile,
    csrPem: await csrFor(names),
    names,
    days,
    organisation: {
      name: 'Example University',
      street: 'Main street 1',
      locality: 'Utrecht',
      state: null,
      postalCode: '3500 AA',
      country: 'NL',
    },
  };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

function fault(op: SimOperation, kind: SimFaultKind, times = Infinity): void {
  sim.addFault(op, kind, times);
}

// What the adapter logs, kept here rather than printed.
const logged: string[] = [];
const keep = (message: unknown) => void logged.push(String(message));
const captured: LoggerService = { log: keep, warn: keep, error: keep, debug: keep, verbose: keep };

beforeAll(async () => {
  Logger.overrideLogger(captured);
  folder = mkdtempSync(join(tmpdir(), 'ra-sim-'));
  sim = await SimulatedCa.start({
    folder,
    port: 0,
    login: 'nren-login',
    password: 'nren-password',
    issueAfterPolls: 1,
    slowMs: REPLY_TIMEOUT_MS + 600,
    now: () => NOW,
  });
  account = {
    loginName: 'nren-login',
    password: 'nren-password',
    customerId: null,
    productIds: Object.fromEntries(CA_PROFILES.map((p) => [p, simProductId(p)])),
  };
  ca = client();
});

afterEach(() => sim.clearFaults());

afterAll(async () => {
  await sim.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('ordering and collecting', () => {
  it('orders, answers pending on the first poll, then hands over a certificate the CA really signed', async () => {
    const order = await anOrder('ov-multi-domain', 90);
    const placed = await ca.order(account, order);
    expect(placed.orderNumber).toMatch(/^\d+$/);
    expect(placed.issued).toBeNull();
    expect(await sim.ordersFor(order.foreignOrderNumber)).toBe(1);
    expect((await sim.order(placed.orderNumber))?.test).toBe(true);

    expect(await ca.collect(account, placed.orderNumber)).toEqual({ status: 'pending' });
    const issued = (await ca.collect(account, placed.orderNumber)) as CaIssued;
    expect(issued.status).toBe('issued');

    const leaf = new x509.X509Certificate(issued.certificatePem);
    expect(Buffer.from(leaf.rawData)).toEqual(Buffer.from(issued.certificateDer));
    const san = leaf.getExtension(x509.SubjectAlternativeNameExtension)!;
    expect(san.names.items.map((n) => n.value)).toEqual(['www.example.org', 'example.org']);
    expect(leaf.getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual([
      x509.ExtendedKeyUsage.serverAuth,
    ]);
    expect(leaf.subject).toContain('O=Example University');
    expect((leaf.notAfter.getTime() - leaf.notBefore.getTime() + 1000) / 86_400_000).toBe(90);
    const csrKey = new x509.Pkcs10CertificateRequest(order.csrPem).publicKey;
    expect(Buffer.from(leaf.publicKey.rawData)).toEqual(Buffer.from(csrKey.rawData));

    // The simulator sends the root first; the adapter puts the issuer first.
    const [intermediate, root] = issued.chainPem.map((p) => new x509.X509Certificate(p));
    expect(issued.chainPem).toHaveLength(2);
    expect(intermediate.subject).toBe(leaf.issuer);
    expect(root.subject).toBe(intermediate.issuer);
    expect(await leaf.verify({ publicKey: intermediate.publicKey, signatureOnly: true })).toBe(
      true,
    );
    expect(await intermediate.verify({ publicKey: root.publicKey, signatureOnly: true })).toBe(
      true,
    );
  });

  it('caps validity at the industry limit of the issuing date (200 days from 2026-03-15)', async () => {
    const placed = await ca.order(account, await anOrder('ov-single', 397));
    await ca.collect(account, placed.orderNumber);
    const issued = (await ca.collect(account, placed.orderNumber)) as CaIssued;
    const leaf = new x509.X509Certificate(issued.certificatePem);
    expect((leaf.notAfter.getTime() - leaf.notBefore.getTime() + 1000) / 86_400_000).toBe(200);
    expect(
      leaf.getExtension(x509.SubjectAlternativeNameExtension)!.names.items.map((n) => n.value),
    ).toEqual(['www.example.org']);
  });

  it('issues code-signing certificates with the codeSigning usage, the organisation and no names', async () => {
    const placed = await ca.order(account, await anOrder('code-signing', 365));
    await ca.collect(account, placed.orderNumber);
    const issued = (await ca.collect(account, placed.orderNumber)) as CaIssued;
    const leaf = new x509.X509Certificate(issued.certificatePem);
    expect(leaf.getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual([
      x509.ExtendedKeyUsage.codeSigning,
    ]);
    expect(leaf.getExtension(x509.SubjectAlternativeNameExtension)).toBeNull();
    expect(leaf.subject).toContain('CN=Example University');
    const ku = leaf.getExtension(x509.KeyUsagesExtension)!;
    expect(ku.usages).toBe(x509.KeyUsageFlags.digitalSignature);
  });

  it('refuses an order for a product the account has no CA product id for, without calling the CA', async () => {
    const before = sim.callCount('order');
    const err = await rejection(ca.order({ ...account, productIds: {} }, await anOrder()));
    expect(err).toBeInstanceOf(CaRefused);
    expect((err as CaRefused).refusal).toMatchObject({
      caCode: null,
      messageKey: 'ca.product_not_configured',
    });
    expect(sim.callCount('order')).toBe(before);
  });

  it('refuses a wrong login with -16, in words', async () => {
    const err = await rejection(ca.order({ ...account, password: 'wrong' }, await anOrder()));
    expect(err).toBeInstanceOf(CaRefused);
    expect((err as CaRefused).caCode).toBe(-16);
    expect((err as CaRefused).messageKey).toBe('ca.codes.-16');
    expect(new I18nService().t('en', 'ca.codes.-16')).toMatch(/login name or password/);
  });
});

describe('revoking and replacing', () => {
  async function issuedOrder(): Promise<{ orderNumber: string; issued: CaIssued }> {
    const placed = await ca.order(account, await anOrder());
    await ca.collect(account, placed.orderNumber);
    return {
      orderNumber: placed.orderNumber,
      issued: (await ca.collect(account, placed.orderNumber)) as CaIssued,
    };
  }

  it('revokes by order number with an RFC 5280 reason; a second revoke says it was already revoked', async () => {
    const { orderNumber } = await issuedOrder();
    expect(await ca.revoke(account, { orderNumber }, 'keyCompromise')).toEqual({
      alreadyRevoked: false,
    });
    expect((await sim.order(orderNumber))?.revocationReason).toBe('keyCompromise');
    expect(await ca.revoke(account, { orderNumber }, 'keyCompromise')).toEqual({
      alreadyRevoked: true,
    });
    expect(await ca.collect(account, orderNumber)).toEqual({ status: 'revoked' });
  });

  it('revokes by serial number', async () => {
    const { orderNumber, issued } = await issuedOrder();
    const serial = new x509.X509Certificate(issued.certificatePem).serialNumber;
    expect(await ca.revoke(account, { serialNumber: serial }, 'superseded')).toEqual({
      alreadyRevoked: false,
    });
    expect((await sim.order(orderNumber))?.state).toBe('revoked');
  });

  it('replaces an order with a new key: the next collection carries the new key', async () => {
    const { orderNumber, issued } = await issuedOrder();
    const csrPem = await csrFor(['www.example.org', 'example.org'], true);
    await ca.replace(account, { orderNumber, csrPem, names: ['www.example.org', 'example.org'] });
    expect(await ca.collect(account, orderNumber)).toEqual({ status: 'pending' });
    const again = (await ca.collect(account, orderNumber)) as CaIssued;
    const leaf = new x509.X509Certificate(again.certificatePem);
    expect(leaf.serialNumber).not.toBe(
      new x509.X509Certificate(issued.certificatePem).serialNumber,
    );
    expect(Buffer.from(leaf.publicKey.rawData)).toEqual(
      Buffer.from(new x509.Pkcs10CertificateRequest(csrPem).publicKey.rawData),
    );
    // RSA keys also get keyEncipherment.
    expect(leaf.getExtension(x509.KeyUsagesExtension)!.usages).toBe(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
    );
  });
});

describe('the protocol', () => {
  it('sends only fields the CA knows, for every kind of product (the simulator refuses others with -2)', async () => {
    for (const profile of CA_PROFILES) {
      await expect(ca.order(account, await anOrder(profile))).resolves.toMatchObject({
        orderNumber: expect.stringMatching(/^\d+$/),
      });
    }
  });

  async function rawPost(
    path: string,
    body: string,
    method = 'POST',
  ): Promise<{ status: number; text: string }> {
    const { request } = await import('node:https');
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, sim.url),
        {
          method,
          ca: sim.trustPem,
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(method === 'POST' ? body : undefined);
    });
  }

  it('the simulator refuses unknown fields, GET and a bad login as the CA does', async () => {
    const unknown = await rawPost(
      '!AutoApplySSL',
      'loginName=nren-login&loginPassword=nren-password&colour=blue',
    );
    expect(new URLSearchParams(unknown.text).get('errorCode')).toBe('-2');
    expect(new URLSearchParams(unknown.text).get('errorItem')).toBe('colour');
    const get = await rawPost('download/CollectSSL', '', 'GET');
    expect(new URLSearchParams(get.text).get('errorCode')).toBe('-17');
    const login = await rawPost(
      '!AutoRevokeSSL',
      'loginName=nren-login&loginPassword=nope&orderNumber=1',
    );
    expect(new URLSearchParams(login.text).get('errorCode')).toBe('-16');
  });

  it('maps every documented error code to its message, and an unknown one to a general message', async () => {
    const i18n = new I18nService();
    for (const code of LEGACY_ERROR_CODES.filter((c) => c !== -14 && c !== -26)) {
      fault('order', { code }, 1);
      const err = await rejection(ca.order(account, await anOrder()));
      expect(err).toBeInstanceOf(CaRefused);
      expect((err as CaRefused).refusal.caCode).toBe(code);
      expect((err as CaRefused).messageKey).toBe(`ca.codes.${code}`);
      expect(i18n.has(`ca.codes.${code}`)).toBe(true);
    }
    fault('order', { code: -99 }, 1);
    const err = (await rejection(ca.order(account, await anOrder()))) as CaRefused;
    expect(err.refusal).toMatchObject({ caCode: -99, messageKey: 'ca.codes.unknown' });
    expect(new I18nService().t('de', err.messageKey!, err.params)).toContain('-99');
  });

  it('refuses a CA whose TLS certificate it does not trust, before sending anything', async () => {
    const before = sim.callCount('order');
    const untrusting = client({ trust: undefined });
    const err = await rejection(untrusting.order(account, await anOrder()));
    expect(err).toBeInstanceOf(CaUnavailable);
    expect((err as CaUnavailable).failure).toBe('tls-untrusted');
    expect(sim.callCount('order')).toBe(before);
  });

  it('retries an order whose TLS handshake never completed (nothing was sent), then reports it unavailable', async () => {
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as import('node:net').AddressInfo).port;
      const stuck = client({
        baseUrl: new URL(`https://127.0.0.1:${port}/products/`),
        connectTimeoutMs: 150,
      });
      const err = await rejection(stuck.order(account, await anOrder()));
      expect(err).toBeInstanceOf(CaUnavailable);
      expect(err).toMatchObject({ failure: 'connect-timeout', attempts: 3 });
      expect(sockets).toHaveLength(3);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('reports a wrong base URL (HTTP 404) as unavailable at once, without retrying', async () => {
    const wrong = client({ baseUrl: new URL('elsewhere/', sim.url) });
    const err = await rejection(wrong.collect(account, '1'));
    expect(err).toBeInstanceOf(CaUnavailable);
    expect(err).toMatchObject({ failure: 'http-status', detail: 'HTTP 404', attempts: 1 });
  });

  it('retries a CA that is not listening, then reports it unavailable', async () => {
    const closed = client({ baseUrl: new URL('https://127.0.0.1:1/products/') });
    const err = await rejection(closed.order(account, await anOrder()));
    expect(err).toBeInstanceOf(CaUnavailable);
    expect(err).toMatchObject({ failure: 'connect-failed', attempts: 3 });
  });
});

describe('faults', () => {
  // What each fault means for each operation: refused, unavailable after retries, or outcome
  // unknown (an order the CA may have placed, never sent again by itself).
  const cases: [SimOperation, SimFaultKind, 'unavailable' | 'unknown' | 'refused', number][] = [
    ['order', 'http-500', 'unavailable', 3],
    ['order', { code: -14 }, 'unavailable', 3],
    ['order', { code: -26 }, 'unavailable', 3],
    ['order', 'garbage', 'unknown', 1],
    ['order', 'slow', 'unknown', 1],
    ['order', 'drop', 'unknown', 1],
    ['order', { code: -15 }, 'refused', 1],
    ['collect', 'http-500', 'unavailable', 3],
    ['collect', 'garbage', 'unavailable', 3],
    ['collect', 'slow', 'unavailable', 3],
    ['collect', 'drop', 'unavailable', 3],
    ['collect', { code: -14 }, 'unavailable', 3],
    ['collect', { code: -16 }, 'refused', 1],
    ['revoke', 'http-500', 'unavailable', 3],
    ['revoke', 'garbage', 'unavailable', 3],
    ['revoke', 'slow', 'unavailable', 3],
    ['revoke', 'drop', 'unavailable', 3],
    ['revoke', { code: -14 }, 'unavailable', 3],
    ['revoke', { code: -16 }, 'refused', 1],
    ['replace', 'http-500', 'unavailable', 3],
    ['replace', 'drop', 'unknown', 1],
    ['replace', 'slow', 'unknown', 1],
    ['replace', { code: -36 }, 'refused', 1],
  ];

  it.each(cases)('%s with %j: %s after %i call(s)', async (operation, kind, expected, calls) => {
    const order = await anOrder();
    const placed = operation === 'order' ? null : await ca.order(account, order);
    fault(operation, kind);
    const before = sim.callCount(operation);
    const call =
      operation === 'order'
        ? ca.order(account, order)
        : operation === 'collect'
          ? ca.collect(account, placed!.orderNumber)
          : operation === 'revoke'
            ? ca.revoke(account, { orderNumber: placed!.orderNumber }, 'unspecified')
            : ca.replace(account, {
                orderNumber: placed!.orderNumber,
                csrPem: order.csrPem,
                names: order.names,
              });
    const err = await rejection(call);
    const type = { unavailable: CaUnavailable, unknown: CaOutcomeUnknown, refused: CaRefused }[
      expected
    ];
    expect(err).toBeInstanceOf(type);
    expect(sim.callCount(operation) - before).toBe(calls);
    // Never ordered twice, whatever happened.
    expect(await sim.ordersFor(order.foreignOrderNumber)).toBeLessThanOrEqual(1);
  });

  it('logs each failed attempt without the CA password', async () => {
    logged.length = 0;
    fault('order', 'http-500', 2);
    await ca.order(account, await anOrder());
    expect(logged).toEqual([
      'CA order attempt 1/3 failed: http-status (HTTP 500)',
      'CA order attempt 2/3 failed: http-status (HTTP 500)',
    ]);
    expect(logged.join('\n')).not.toContain(account.password);
  });

  it('an order that failed with HTTP 500 once is placed by the retry, once', async () => {
    const order = await anOrder();
    fault('order', 'http-500', 1);
    await ca.order(account, order);
    expect(await sim.ordersFor(order.foreignOrderNumber)).toBe(1);
  });

  it('an order whose connection dropped after sending is placed at the CA but reported unknown, not resent', async () => {
    const order = await anOrder();
    fault('order', 'drop', 1);
    const err = await rejection(ca.order(account, order));
    expect(err).toMatchObject({ failure: 'connection-dropped' });
    expect(err).toBeInstanceOf(CaOutcomeUnknown);
    expect(await sim.ordersFor(order.foreignOrderNumber)).toBe(1);
  });

  it('a collection that timed out once succeeds on the retry', async () => {
    const placed = await ca.order(account, await anOrder());
    fault('collect', 'slow', 1);
    const before = sim.callCount('collect');
    // The slow poll counted at the CA (pending); the retry is the second poll: issued.
    expect(await ca.collect(account, placed.orderNumber)).toMatchObject({ status: 'issued' });
    expect(sim.callCount('collect') - before).toBe(2);
  });

  it('collect: -26 (being issued) is pending, -20 is a refused order, -21 revoked', async () => {
    const placed = await ca.order(account, await anOrder());
    fault('collect', { code: -26 }, 1);
    expect(await ca.collect(account, placed.orderNumber)).toEqual({ status: 'pending' });
    fault('collect', { code: -20 }, 1);
    expect(await ca.collect(account, placed.orderNumber)).toEqual({
      status: 'refused',
      refusal: expect.objectContaining({ caCode: -20, messageKey: 'ca.codes.-20' }),
    });
    fault('collect', { code: -21 }, 1);
    expect(await ca.collect(account, placed.orderNumber)).toEqual({ status: 'revoked' });
  });

  it('a revocation whose answer was lost is repeated, and the repeat learns it was done', async () => {
    const placed = await ca.order(account, await anOrder());
    fault('revoke', 'drop', 1);
    expect(await ca.revoke(account, { orderNumber: placed.orderNumber }, 'keyCompromise')).toEqual({
      alreadyRevoked: true,
    });
  });
});

describe('reply quirks, from a server that answers what it is told', () => {
  let canned: import('node:https').Server;
  let body = '';
  let quirky: LegacyCaClient;

  beforeAll(async () => {
    const { createServer } = await import('node:https');
    canned = createServer({ key: sim.pki.tlsKeyPem, cert: sim.pki.tlsCertPem }, (req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(body));
    });
    await new Promise<void>((resolve) => canned.listen(0, '127.0.0.1', resolve));
    const port = (canned.address() as import('node:net').AddressInfo).port;
    quirky = client({ baseUrl: new URL(`https://127.0.0.1:${port}/products/`) });
  });

  afterAll(async () => {
    canned.closeAllConnections();
    await new Promise((resolve) => canned.close(resolve));
  });

  it('takes errorCode=1 (accepted, awaiting payment) as an order', async () => {
    body = 'errorCode=1&orderNumber=4242&totalCost=0';
    expect(await quirky.order(account, await anOrder())).toEqual({
      orderNumber: '4242',
      issued: null,
    });
  });

  it('takes a success without an order number as outcome unknown, not as a failure to retry', async () => {
    body = 'errorCode=0&expectedDeliveryTime=0';
    expect(await rejection(quirky.order(account, await anOrder()))).toBeInstanceOf(
      CaOutcomeUnknown,
    );
  });

  it('reads certificates whose base64 + arrived unencoded (as spaces)', async () => {
    const placed = await ca.order(account, await anOrder());
    await ca.collect(account, placed.orderNumber);
    const issued = (await ca.collect(account, placed.orderNumber)) as CaIssued;
    const b64 = [issued.certificatePem, ...issued.chainPem].map((p) =>
      p.replace(/-----[A-Z ]+-----|\s/g, ''),
    );
    expect(b64.join('')).toContain('+');
    body = `errorCode=2&certificate=${b64[0]}&caCertificate=${b64[1]}&caCertificate=${b64[2]}`;
    const again = (await quirky.collect(account, placed.orderNumber)) as CaIssued;
    expect(again.certificatePem).toBe(issued.certificatePem);
    expect(again.chainPem).toEqual(issued.chainPem);
  });

  it('retries a reply in the old status-line format, then reports the CA unavailable', async () => {
    body = '0\ncertificateStatus\tAwaiting Validation\n';
    expect(await rejection(quirky.collect(account, '1'))).toMatchObject({
      failure: 'unparseable-reply',
      attempts: 3,
    });
  });
});
