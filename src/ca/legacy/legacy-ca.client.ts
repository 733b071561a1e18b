import { Logger } from '@nestjs/common';
import { X509Certificate } from '@peculiar/x509';
import {
  CaClient,
  type CaAccount,
  type CaCollectResult,
  type CaIssued,
  type CaOrderPlaced,
  type CaOrderRequest,
  type CaReplaceRequest,
  type CaRevokeResult,
  type CaRevokeTarget,
  type RevocationReason,
} from '../ca-client.js';
import {
  CaOutcomeUnknown,
  CaRefused,
  CaUnavailable,
  type CaFailureCause,
  type CaOperation,
} from '../ca.errors.js';
import { postForm, TransportFailure } from './https-post.js';
import { RETRYABLE_CODES, refusalOf } from './legacy-codes.js';
import {
  decodeBase64Field,
  parseLegacyReply,
  UnparseableReply,
  type LegacyReply,
} from './legacy-reply.js';
import { orderForm } from './product-fields.js';

export interface RetrySettings {
  // Calls in all, the first included.
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface LegacyCaSettings {
  // The API's base URL, path kept (https://secure.trust-provider.com/products/).
  baseUrl: URL;
  // PEM certificates trusted for the CA's TLS server; undefined: Node's defaults.
  trust: string[] | undefined;
  connectTimeoutMs: number;
  replyTimeoutMs: number;
  testOrders: boolean;
  retry: RetrySettings;
}

// Order and replace act at the CA: sent without an answer, they are not repeated.
const REPEATABLE: Record<CaOperation, boolean> = {
  order: false,
  replace: false,
  collect: true,
  revoke: true,
};

const ENDPOINTS: Record<CaOperation, string> = {
  order: '!AutoApplySSL',
  collect: 'download/CollectSSL',
  revoke: '!AutoRevokeSSL',
  replace: '!AutoReplaceSSL',
};

class Transient {
  constructor(
    readonly failure: CaFailureCause,
    readonly detail: string,
  ) {}
}

function pem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

// The CA's chain comes in no guaranteed order: walk it from the leaf's issuer upwards, and
// keep whatever does not fit the walk at the end rather than drop it.
export function orderChain(leaf: X509Certificate, chain: X509Certificate[]): X509Certificate[] {
  const rest = [...chain];
  const ordered: X509Certificate[] = [];
  let issuer = leaf.issuer;
  let current = leaf;
  while (rest.length > 0 && current.subject !== current.issuer) {
    const next = rest.findIndex((c) => c.subject === issuer);
    if (next < 0) {
      break;
    }
    current = rest.splice(next, 1)[0];
    ordered.push(current);
    issuer = current.issuer;
  }
  return [...ordered, ...rest];
}

// The legacy "auto" API of Comodo/Sectigo: HTTPS POST, form fields in, URL-encoded text out.
export class LegacyCaClient extends CaClient {
  private readonly logger = new Logger('CaClient');

  constructor(
    private readonly settings: LegacyCaSettings,
    // Injected so tests need not wait; full jitter needs a random source.
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((r) => setTimeout(r, ms)),
    private readonly random: () => number = Math.random,
  ) {
    super();
  }

  override async order(account: CaAccount, order: CaOrderRequest): Promise<CaOrderPlaced> {
    const productId = account.productIds[order.productCode];
    if (!productId) {
      throw new CaRefused('order', {
        caCode: null,
        messageKey: 'ca.product_not_configured',
        params: { product: order.productCode },
      });
    }
    const form = orderForm(account, productId, order, { testOrders: this.settings.testOrders });
    const reply = await this.call('order', form);
    // 1: accepted, awaiting payment; still an order.
    if (reply.errorCode !== 0 && reply.errorCode !== 1) {
      throw this.refused('order', reply);
    }
    const orderNumber = reply.first('orderNumber');
    if (!orderNumber || !/^\d{1,20}$/.test(orderNumber)) {
      // The CA said yes but we cannot tell to which order: only reconciliation can.
      throw new CaOutcomeUnknown('order', 'unparseable-reply', 'no orderNumber in a success reply');
    }
    // The order stands even if a certificate sent along cannot be read: collect it later.
    let issued: CaIssued | null = null;
    if (reply.first('certificate')) {
      try {
        issued = this.issued(reply);
      } catch {
        issued = null;
      }
    }
    return { orderNumber, issued };
  }

  override async collect(account: CaAccount, orderNumber: string): Promise<CaCollectResult> {
    const form = this.form(account, {
      orderNumber,
      // Status, certificate and chain; each certificate base64 DER on its own.
      queryType: '1',
      responseType: '3',
      responseEncoding: '0',
      responseFormat: '1',
    });
    const reply = await this.call('collect', form, [-26]);
    if (reply.errorCode === 0 || reply.errorCode === -26) {
      return { status: 'pending' };
    }
    if (reply.errorCode >= 1) {
      return this.issued(reply);
    }
    if (reply.errorCode === -20) {
      return { status: 'refused', refusal: refusalOf(-20) };
    }
    if (reply.errorCode === -21) {
      return { status: 'revoked' };
    }
    throw this.refused('collect', reply);
  }

  override async revoke(
    account: CaAccount,
    target: CaRevokeTarget,
    reason: RevocationReason,
  ): Promise<CaRevokeResult> {
    const form = this.form(account, {
      ...('orderNumber' in target
        ? { orderNumber: target.orderNumber }
        : { serialNumber: target.serialNumber }),
      revocationReason: reason,
      responseFormat: '1',
    });
    const reply = await this.call('revoke', form);
    if (reply.errorCode === 0) {
      return { alreadyRevoked: false };
    }
    if (reply.errorCode === -21) {
      return { alreadyRevoked: true };
    }
    throw this.refused('revoke', reply);
  }

  override async replace(account: CaAccount, request: CaReplaceRequest): Promise<void> {
    const form = this.form(account, {
      orderNumber: request.orderNumber,
      csr: request.csrPem,
      domainNames: request.names.join(','),
      responseFormat: '1',
    });
    const reply = await this.call('replace', form);
    if (reply.errorCode !== 0) {
      throw this.refused('replace', reply);
    }
  }

  private form(account: CaAccount, fields: Record<string, string>): URLSearchParams {
    return new URLSearchParams({
      loginName: account.loginName,
      loginPassword: account.password,
      ...fields,
    });
  }

  private refused(operation: CaOperation, reply: LegacyReply): CaRefused {
    return new CaRefused(
      operation,
      refusalOf(reply.errorCode, reply.first('errorItem'), reply.first('errorMessage')),
    );
  }

  private issued(reply: LegacyReply): CaIssued {
    const leafB64 = reply.first('certificate');
    if (!leafB64) {
      throw new CaUnavailable('collect', 'unparseable-reply', 'issued without a certificate', 1);
    }
    try {
      const der = decodeBase64Field(leafB64);
      const leaf = new X509Certificate(der);
      const chain = reply
        .all('caCertificate')
        .map((c) => new X509Certificate(decodeBase64Field(c)));
      return {
        status: 'issued',
        certificateDer: der,
        certificatePem: pem(der),
        chainPem: orderChain(leaf, chain).map((c) => pem(new Uint8Array(c.rawData))),
      };
    } catch (err) {
      throw new CaUnavailable('collect', 'unparseable-reply', (err as Error).message, 1);
    }
  }

  // One call with bounded retries. Returns a parsed reply with a definite error code (which
  // may still be a refusal); throws CaUnavailable or CaOutcomeUnknown.
  private async call(
    operation: CaOperation,
    form: URLSearchParams,
    answers: readonly number[] = [],
  ): Promise<LegacyReply> {
    const { attempts, baseDelayMs, maxDelayMs } = this.settings.retry;
    const url = new URL(ENDPOINTS[operation], this.settings.baseUrl);
    let last = new Transient('connect-failed', 'not tried');
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        // Full jitter: many instances retrying after one outage do not come back in step.
        const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 2));
        await this.sleep(Math.floor(this.random() * cap));
      }
      const outcome = await this.attempt(operation, url, form, answers);
      if (!(outcome instanceof Transient)) {
        return outcome;
      }
      last = outcome;
      this.logger.warn(
        `CA ${operation} attempt ${attempt}/${attempts} failed: ${outcome.failure} (${outcome.detail})`,
      );
      if (outcome.failure === 'tls-untrusted') {
        break;
      }
    }
    throw new CaUnavailable(operation, last.failure, last.detail, attempts);
  }

  private async attempt(
    operation: CaOperation,
    url: URL,
    form: URLSearchParams,
    answers: readonly number[],
  ): Promise<LegacyReply | Transient> {
    let status: number;
    let body: string;
    try {
      ({ status, body } = await postForm(url, form, {
        ca: this.settings.trust,
        connectTimeoutMs: this.settings.connectTimeoutMs,
        replyTimeoutMs: this.settings.replyTimeoutMs,
        maxReplyBytes: 1024 * 1024,
      }));
    } catch (err) {
      if (!(err instanceof TransportFailure)) {
        throw err;
      }
      if (err.sent && !REPEATABLE[operation]) {
        throw new CaOutcomeUnknown(operation, err.failure, err.detail);
      }
      return new Transient(err.failure, err.detail);
    }
    if (status >= 500) {
      // The server says it failed; the reference counts this as worth a retry.
      return new Transient('http-status', `HTTP ${status}`);
    }
    if (status !== 200) {
      // A wrong URL or a proxy in the way: no retry will help, nor did the CA act.
      throw new CaUnavailable(operation, 'http-status', `HTTP ${status}`, 1);
    }
    let reply: LegacyReply;
    try {
      reply = parseLegacyReply(body);
    } catch (err) {
      const detail = `unparseable reply: ${(err as UnparseableReply).excerpt}`;
      // A 200 we cannot read may still have placed the order.
      if (!REPEATABLE[operation]) {
        throw new CaOutcomeUnknown(operation, 'unparseable-reply', detail);
      }
      return new Transient('unparseable-reply', detail);
    }
    if (RETRYABLE_CODES.has(reply.errorCode) && !answers.includes(reply.errorCode)) {
      return new Transient('ca-busy', `errorCode ${reply.errorCode}`);
    }
    return reply;
  }
}
