import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimFault, SimFaultKind, SimOperation } from '../../config/ca.config.js';
import { issueCertificate } from './sim-issuer.js';
import { loadOrCreatePki, type SimPki } from './sim-pki.js';
import { isCodeSigning, SIM_PRODUCTS } from './sim-products.js';
import { SimStore, type SimOrder } from './sim-store.js';

export interface SimulatedCaOptions {
  folder: string;
  // 0: any free port.
  port: number;
  host?: string;
  login: string;
  password: string;
  issueAfterPolls: number;
  slowMs: number;
  faults?: SimFault[];
  now?: () => Date;
}

const BASE_PATH = '/products/';
const MAX_BODY = 256 * 1024;

// The fields each endpoint knows (the reference's lists, not the adapter's table, so that a
// field the adapter should not send is caught here). Anything else is refused with -2.
const ENDPOINTS: Record<string, { operation: SimOperation; fields: ReadonlySet<string> }> = {
  '!AutoApplySSL': {
    operation: 'order',
    fields: new Set([
      'loginName',
      'loginPassword',
      'product',
      'csr',
      'days',
      'years',
      'serverSoftware',
      'responseFormat',
      'showCertificateID',
      'isCustomerValidated',
      'test',
      'foreignOrderNumber',
      'uniqueValue',
      'prioritiseCSRValues',
      'emailAddress',
      'dcvMethod',
      'dcvEmailAddress',
      'domainNames',
      'dcvEmailAddresses',
      'primaryDomainName',
      'organizationName',
      'streetAddress1',
      'localityName',
      'stateOrProvinceName',
      'postalCode',
      'countryName',
    ]),
  },
  'download/CollectSSL': {
    operation: 'collect',
    fields: new Set([
      'loginName',
      'loginPassword',
      'orderNumber',
      'queryType',
      'responseType',
      'responseEncoding',
      'responseFormat',
      'showValidityPeriod',
      'showExtStatus',
    ]),
  },
  '!AutoRevokeSSL': {
    operation: 'revoke',
    fields: new Set([
      'loginName',
      'loginPassword',
      'orderNumber',
      'serialNumber',
      'revocationReason',
      'responseFormat',
    ]),
  },
  '!AutoReplaceSSL': {
    operation: 'replace',
    fields: new Set([
      'loginName',
      'loginPassword',
      'orderNumber',
      'csr',
      'domainNames',
      'serverSoftware',
      'responseFormat',
    ]),
  },
};

class Reply {
  constructor(readonly fields: [string, string][]) {}

  static error(code: number, item?: string, message = 'simulated refusal'): Reply {
    return new Reply([
      ['errorCode', String(code)],
      ...(item ? ([['errorItem', item]] as [string, string][]) : []),
      ['errorMessage', message],
    ]);
  }

  toString(): string {
    return new URLSearchParams(this.fields).toString();
  }
}

const b64 = (data: ArrayBuffer | Uint8Array) => Buffer.from(data as Uint8Array).toString('base64');

// A CA that speaks the legacy Sectigo API over HTTPS on loopback, signs for real under its
// own root, and can be told to misbehave (faults) for tests and demos.
export class SimulatedCa {
  private readonly faults = new Map<SimOperation, { kind: SimFaultKind; times: number }[]>();
  private readonly calls = new Map<SimOperation, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  issueAfterPolls: number;

  private constructor(
    private readonly options: SimulatedCaOptions,
    readonly pki: SimPki,
    private readonly store: SimStore,
    private readonly server: Server,
    readonly url: string,
  ) {
    this.issueAfterPolls = options.issueAfterPolls;
    for (const f of options.faults ?? []) {
      this.addFault(f.operation, f.kind, f.times);
    }
  }

  static async start(options: SimulatedCaOptions): Promise<SimulatedCa> {
    const now = options.now ?? (() => new Date());
    const pki = await loadOrCreatePki(options.folder);
    const store = new SimStore(options.folder);
    await store.init();
    const server = createServer({ key: pki.tlsKeyPem, cert: pki.tlsCertPem });
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, resolve);
    });
    const { port } = server.address() as AddressInfo;
    const ca = new SimulatedCa(
      { ...options, now },
      pki,
      store,
      server,
      `https://${host.includes(':') ? `[${host}]` : host}:${port}${BASE_PATH}`,
    );
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      ca.handle(req, res).catch(() => {
        if (!res.headersSent) {
          res.writeHead(500).end();
        }
      });
    });
    return ca;
  }

  get login(): string {
    return this.options.login;
  }

  get password(): string {
    return this.options.password;
  }

  get trustFile(): string {
    return this.pki.rootFile;
  }

  get trustPem(): string {
    return this.pki.root.certificate.toString('pem');
  }

  // Makes the next `times` calls of an operation fail this way (Infinity: until cleared).
  addFault(operation: SimOperation, kind: SimFaultKind, times = Infinity): void {
    const list = this.faults.get(operation) ?? [];
    list.push({ kind, times });
    this.faults.set(operation, list);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  // HTTP requests that reached an endpoint, whatever the answer.
  callCount(operation: SimOperation): number {
    return this.calls.get(operation) ?? 0;
  }

  ordersFor(foreignOrderNumber: string): Promise<number> {
    return this.store.countByForeignOrderNumber(foreignOrderNumber);
  }

  // What an RAO finds at the CA when looking an order up by our request id.
  orderNumbersFor(foreignOrderNumber: string): Promise<string[]> {
    return this.store.byForeignOrderNumber(foreignOrderNumber);
  }

  order(orderNumber: string): Promise<SimOrder | null> {
    return this.store.get(orderNumber);
  }

  async close(): Promise<void> {
    for (const t of this.timers) {
      clearTimeout(t);
    }
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private nextFault(operation: SimOperation): SimFaultKind | null {
    const list = this.faults.get(operation);
    const fault = list?.[0];
    if (!fault) {
      return null;
    }
    fault.times -= 1;
    if (fault.times <= 0) {
      list.shift();
    }
    return fault.kind;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    const endpoint = path.startsWith(BASE_PATH)
      ? ENDPOINTS[path.slice(BASE_PATH.length)]
      : undefined;
    if (!endpoint) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      this.send(res, Reply.error(-17, undefined, 'GET is not supported; use POST'));
      return;
    }
    const body = await readBody(req);
    if (body === null) {
      res.writeHead(413).end();
      return;
    }
    const operation = endpoint.operation;
    this.calls.set(operation, this.callCount(operation) + 1);
    const form = new URLSearchParams(body);
    const fault = this.nextFault(operation);
    if (fault === 'http-500') {
      res.writeHead(500, { 'Content-Type': 'text/html' }).end('<h1>Internal Server Error</h1>');
      return;
    }
    if (fault !== null && typeof fault === 'object') {
      this.send(res, Reply.error(fault.code, undefined, 'simulated error'));
      return;
    }
    // The other faults strike after the CA has acted: the worst case for the caller.
    const reply = await this.answer(operation, form, endpoint.fields);
    switch (fault) {
      case 'garbage':
        res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body>Service temporarily');
        return;
      case 'drop':
        req.socket.destroy();
        return;
      case 'slow': {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.send(res, reply);
        }, this.options.slowMs);
        this.timers.add(timer);
        return;
      }
      case null:
        this.send(res, reply);
        return;
    }
  }

  private send(res: ServerResponse, reply: Reply): void {
    if (!res.destroyed) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(reply.toString());
    }
  }

  private async answer(
    operation: SimOperation,
    form: URLSearchParams,
    known: ReadonlySet<string>,
  ): Promise<Reply> {
    for (const name of form.keys()) {
      if (!known.has(name)) {
        return Reply.error(-2, name, `'${name}' is an unrecognised argument!`);
      }
    }
    for (const name of ['loginName', 'loginPassword']) {
      if (!form.get(name)) {
        return Reply.error(-3, name, `'${name}' argument is missing!`);
      }
    }
    if (
      form.get('loginName') !== this.options.login ||
      form.get('loginPassword') !== this.options.password
    ) {
      return Reply.error(-16, undefined, 'Permission denied!');
    }
    switch (operation) {
      case 'order':
        return this.placeOrder(form);
      case 'collect':
        return this.collect(form);
      case 'revoke':
        return this.revoke(form);
      case 'replace':
        return this.replace(form);
    }
  }

  private async placeOrder(form: URLSearchParams): Promise<Reply> {
    for (const name of ['product', 'csr']) {
      if (!form.get(name)) {
        return Reply.error(-3, name, `'${name}' argument is missing!`);
      }
    }
    const product = SIM_PRODUCTS.find((p) => String(p.id) === form.get('product'));
    if (!product) {
      return Reply.error(-4, 'product', "'product' is invalid!");
    }
    const days = Number(form.get('days') ?? Number(form.get('years') ?? 1) * 365);
    if (!Number.isInteger(days) || days < 1) {
      return Reply.error(-4, 'days', "'days' is invalid!");
    }
    const country = form.get('countryName');
    if (country !== null && !/^[A-Z]{2}$/.test(country)) {
      return Reply.error(-7, 'countryName', "'countryName' is not a valid ISO-3166 country!");
    }
    const csr = await checkCsr(form.get('csr')!);
    if (csr instanceof Reply) {
      return csr;
    }
    const names =
      form
        .get('domainNames')
        ?.split(',')
        .map((n) => n.trim())
        .filter(Boolean) ?? csrNames(csr);
    if (!isCodeSigning(product.profile) && names.length === 0) {
      return Reply.error(-8, 'csr', 'The CSR has no common name');
    }
    const order = await this.store.create({
      foreignOrderNumber: form.get('foreignOrderNumber'),
      productId: product.id,
      csrPem: form.get('csr')!,
      names,
      days,
      organisation: {
        name: form.get('organizationName') ?? undefined,
        locality: form.get('localityName') ?? undefined,
        state: form.get('stateOrProvinceName') ?? undefined,
        country: country ?? undefined,
      },
      test: form.get('test') === 'Y',
      polls: 0,
      state: 'pending',
      certificateDer: null,
      serialNumber: null,
      revocationReason: null,
      createdAt: this.options.now!().toISOString(),
    });
    return new Reply([
      ['errorCode', '0'],
      ['orderNumber', order.orderNumber],
      ...(form.get('showCertificateID') === 'Y'
        ? ([['certificateID', order.orderNumber]] as [string, string][])
        : []),
      ['expectedDeliveryTime', String(Math.floor(this.options.now!().getTime() / 1000) + 60)],
    ]);
  }

  private async collect(form: URLSearchParams): Promise<Reply> {
    const order = await this.store.get(form.get('orderNumber') ?? '');
    if (!order) {
      return Reply.error(-4, 'orderNumber', "'orderNumber' is invalid!");
    }
    if (
      form.get('queryType') !== '1' ||
      form.get('responseType') !== '3' ||
      form.get('responseEncoding') !== '0'
    ) {
      // The simulator answers only the form the adapter asks for.
      return Reply.error(
        -4,
        'responseType',
        'Only queryType=1, responseType=3, responseEncoding=0 are simulated',
      );
    }
    if (order.state === 'revoked') {
      return Reply.error(-21, undefined, 'The certificate has been revoked!');
    }
    if (order.state === 'pending') {
      order.polls += 1;
      if (order.polls <= this.issueAfterPolls) {
        await this.store.save(order);
        return new Reply([
          ['errorCode', '0'],
          ['certificateStatus', 'Awaiting Validation'],
        ]);
      }
      const product = SIM_PRODUCTS.find((p) => p.id === order.productId)!;
      const cert = await issueCertificate(this.pki, {
        csrPem: order.csrPem,
        product,
        names: order.names,
        days: order.days,
        organisation: order.organisation,
        now: this.options.now!(),
      });
      order.state = 'issued';
      order.certificateDer = b64(cert.rawData);
      order.serialNumber = cert.serialNumber;
      await this.store.save(order);
    }
    // The chain in no particular order (the real CA promises none): root first here.
    return new Reply([
      ['errorCode', '2'],
      ['certificateStatus', 'Issued'],
      ['certificate', order.certificateDer!],
      ['caCertificate', b64(this.pki.root.certificate.rawData)],
      ['caCertificate', b64(this.pki.intermediate.certificate.rawData)],
    ]);
  }

  private async revoke(form: URLSearchParams): Promise<Reply> {
    const orderNumber = form.get('orderNumber');
    const serial = form.get('serialNumber');
    if (!orderNumber && !serial) {
      return Reply.error(-3, 'orderNumber', "'orderNumber' argument is missing!");
    }
    const order = orderNumber
      ? await this.store.get(orderNumber)
      : await this.store.bySerial(serial!);
    if (!order) {
      return Reply.error(-4, orderNumber ? 'orderNumber' : 'serialNumber', 'No such certificate');
    }
    if (order.state === 'revoked') {
      return Reply.error(-21, undefined, 'The certificate has already been revoked!');
    }
    order.state = 'revoked';
    order.revocationReason = form.get('revocationReason') ?? 'unspecified';
    await this.store.save(order);
    return new Reply([['errorCode', '0']]);
  }

  private async replace(form: URLSearchParams): Promise<Reply> {
    const order = await this.store.get(form.get('orderNumber') ?? '');
    if (!order) {
      return Reply.error(-4, 'orderNumber', "'orderNumber' is invalid!");
    }
    if (!form.get('csr')) {
      return Reply.error(-3, 'csr', "'csr' argument is missing!");
    }
    if (order.state === 'revoked') {
      return Reply.error(-21, undefined, 'The certificate has been revoked!');
    }
    const csr = await checkCsr(form.get('csr')!);
    if (csr instanceof Reply) {
      return csr;
    }
    const names = form
      .get('domainNames')
      ?.split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    Object.assign(order, {
      csrPem: form.get('csr')!,
      names: names?.length ? names : order.names,
      state: 'pending',
      polls: 0,
      certificateDer: null,
      serialNumber: null,
    });
    await this.store.save(order);
    return new Reply([['errorCode', '0']]);
  }
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function checkCsr(text: string): Promise<x509.Pkcs10CertificateRequest | Reply> {
  if (!text.includes('-----BEGIN CERTIFICATE REQUEST-----')) {
    return Reply.error(-9, 'csr', 'The CSR is not base64 encoded');
  }
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(text);
  } catch {
    return Reply.error(-10, 'csr', 'The CSR cannot be decoded');
  }
  const alg = (csr.publicKey.algorithm as { name: string }).name;
  if (alg !== 'ECDSA' && alg !== 'RSASSA-PKCS1-v1_5') {
    return Reply.error(-11, 'csr', 'The CSR uses a key algorithm that is not supported');
  }
  try {
    if (!(await csr.verify())) {
      return Reply.error(-12, 'csr', 'The CSR signature is invalid');
    }
  } catch {
    return Reply.error(-12, 'csr', 'The CSR signature is invalid');
  }
  return csr;
}

function csrNames(csr: x509.Pkcs10CertificateRequest): string[] {
  const names: string[] = [];
  const cn = csr.subjectName.getField('CN')[0];
  if (cn) {
    names.push(cn);
  }
  // By OID: on requests the typed lookup does not find it (certificate-policy.md).
  const san = csr.getExtension('2.5.29.17') as x509.SubjectAlternativeNameExtension | null;
  for (const n of san?.names.items ?? []) {
    if ((n.type === 'dns' || n.type === 'ip') && !names.includes(n.value)) {
      names.push(n.value);
    }
  }
  return names;
}
