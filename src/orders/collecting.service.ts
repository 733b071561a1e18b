import { Inject, Injectable, Logger } from '@nestjs/common';
import { rootCertificates } from 'node:tls';
import { CaClient, type CaCollectResult, type CaIssued } from '../ca/ca-client.js';
import { CaConnection } from '../ca/ca-connection.js';
import { CaRefused, CaUnavailable } from '../ca/ca.errors.js';
import { CertificatesService } from '../certificates/certificates.service.js';
import { checkIssued } from '../certificates/issued-check.js';
import { DomainError } from '../common/errors.js';
import { caConfig, type CaConfig } from '../config/ca.config.js';
import { ordersConfig, type OrdersConfig } from '../config/orders.config.js';
import { GroupCommit } from '../database/group-commit.js';
import { Leases } from '../database/leases.js';
import { Transactions } from '../database/transactions.js';
import { wholeSeconds } from '../database/whole-seconds.js';
import { I18nService } from '../i18n/i18n.service.js';
import { CertificateRequest } from '../requests/certificate-request.entity.js';
import { RequestLifecycle, systemActing } from '../requests/request-lifecycle.js';
import { Certificate } from '../certificates/certificate.entity.js';
import { CaAccounts } from './ca-accounts.js';
import { CaOrder, type OrderOutcome } from './ca-order.entity.js';
import {
  after,
  BATCH,
  type Batch,
  jitter,
  leaseMs,
  nextPollInterval,
  pemBundle,
  pemToDer,
  refusalOutcome,
} from './pipeline.js';

export interface CollectRunResult {
  issued: number;
  pending: number;
  refused: number;
  // The CA could not be asked (unavailable, or it refused the call itself): asked again later.
  retrying: number;
}

const COLLECTOR = systemActing('ca-collector');

// Polls ordered rows until the CA has issued, checks what it issued against the request, and
// stores it in the transaction that moves the request to issued. Rows are claimed through the
// lease helper, so any number of instances may run this and no order is collected by two of
// them at once.
@Injectable()
export class CollectingService {
  private readonly logger = new Logger(CollectingService.name);
  private roots: Uint8Array[] | null = null;

  constructor(
    private readonly tx: Transactions,
    private readonly leases: Leases,
    private readonly lifecycle: RequestLifecycle,
    private readonly client: CaClient,
    private readonly connection: CaConnection,
    private readonly accounts: CaAccounts,
    private readonly certificates: CertificatesService,
    private readonly i18n: I18nService,
    @Inject(caConfig.KEY) private readonly ca: CaConfig,
    @Inject(ordersConfig.KEY) private readonly config: OrdersConfig,
  ) {}

  async run(now: Date): Promise<CollectRunResult> {
    const result: CollectRunResult = { issued: 0, pending: 0, refused: 0, retrying: 0 };
    const claim = await this.leases.claim(CaOrder, {
      due: "state = 'ordered' AND due_at <= :now",
      orderBy: 'dueAt',
      limit: BATCH,
      leaseMs: leaseMs(this.ca),
      now,
    });
    const accountOf = this.accounts.memo(this.tx.manager);
    // Outcomes that arrive together share a commit.
    const batch: Batch = { claim, commits: new GroupCommit(this.tx) };
    const outcomes = await Promise.all(
      claim.rows.map((row) => this.collect(batch, row, now, accountOf)),
    );
    for (const o of outcomes) {
      result[o] += 1;
    }
    return result;
  }

  // The roots an issued certificate must chain to: the simulator's own, or the public roots
  // Node trusts plus CA_ISSUER_ROOTS_FILE.
  private trustedRoots(): Uint8Array[] {
    this.roots ??= this.connection.simulator
      ? pemBundle(this.connection.simulator.trustPem)
      : [...rootCertificates.flatMap(pemBundle), ...pemBundle(this.config.issuerRootsPem ?? '')];
    return this.roots;
  }

  private async collect(
    batch: Batch,
    row: CaOrder,
    now: Date,
    accountOf: ReturnType<CaAccounts['memo']>,
  ): Promise<keyof CollectRunResult> {
    let result: CaCollectResult;
    let request: CertificateRequest;
    try {
      request = await this.tx.manager.findOneOrFail(CertificateRequest, {
        where: { id: row.requestId },
        relations: { product: true, department: { organisation: true } },
      });
      const account = await accountOf(request.department.organisation.nrenId);
      if (!account) {
        return this.retry(batch, row, now, { key: 'orders.outcomes.no_account', params: {} });
      }
      result = await this.client.collect(account, row.caOrderNumber!);
    } catch (err) {
      if (err instanceof CaUnavailable) {
        return this.retry(batch, row, now, {
          key: 'orders.outcomes.unavailable',
          params: { failure: err.failure },
        });
      }
      // A refused collection (a wrong login, say) is about the call, not the order: the order
      // stands at the CA, so it is asked again, at the longest interval, until someone fixes it.
      if (err instanceof CaRefused) {
        return this.retry(batch, row, now, refusalOutcome(err.refusal), this.config.pollMaxSeconds);
      }
      this.logger.error(`collecting request ${row.requestId}: ${(err as Error).message}`);
      return this.retry(batch, row, now, {
        key: 'orders.outcomes.not_recorded',
        params: { error: 'internal-error' },
      });
    }
    try {
      switch (result.status) {
        case 'pending':
          return await this.pending(batch, row, now);
        case 'issued':
          return await this.issued(batch, row, request, result, now);
        case 'refused':
          return await this.refuse(batch, row, refusalOutcome(result.refusal));
        case 'revoked':
          return await this.refuse(batch, row, {
            key: 'orders.outcomes.revoked_at_ca',
            params: {},
          });
      }
    } catch (err) {
      if (!(err instanceof DomainError)) {
        this.logger.error(`collecting request ${row.requestId}: ${(err as Error).message}`);
      }
      return this.retry(batch, row, now, {
        key: 'orders.outcomes.not_recorded',
        params: { error: err instanceof DomainError ? err.code : 'internal-error' },
      });
    }
  }

  private async pending({ claim, commits }: Batch, row: CaOrder, now: Date): Promise<'pending'> {
    const interval = nextPollInterval(
      row.pollIntervalSeconds,
      this.config.pollMinSeconds,
      this.config.pollMaxSeconds,
    );
    await commits.write((em) =>
      this.leases.complete(em, claim, row, {
        polls: row.polls + 1,
        pollIntervalSeconds: interval,
        dueAt: wholeSeconds(after(now, jitter(interval))),
        lastOutcome: null,
      }),
    );
    return 'pending';
  }

  private async retry(
    { claim, commits }: Batch,
    row: CaOrder,
    now: Date,
    outcome: OrderOutcome,
    seconds = Math.max(row.pollIntervalSeconds, this.config.pollMinSeconds),
  ): Promise<'retrying'> {
    await commits.write((em) =>
      this.leases.complete(em, claim, row, {
        polls: row.polls + 1,
        dueAt: wholeSeconds(after(now, jitter(seconds))),
        lastOutcome: outcome,
      }),
    );
    return 'retrying';
  }

  private async issued(
    batch: Batch,
    row: CaOrder,
    request: CertificateRequest,
    issued: CaIssued,
    now: Date,
  ): Promise<'issued' | 'refused'> {
    const leafDer = issued.certificateDer;
    const chainDer = issued.chainPem.map(pemToDer);
    const check = checkIssued({
      leafDer,
      chainDer,
      request: {
        spkiSha256: request.spkiSha256,
        names: request.names,
        kind: request.product.kind,
        validityDays: request.validityDays,
      },
      trustedRoots: this.trustedRoots(),
      now,
    });
    if (!check.ok) {
      return this.refuse(batch, row, {
        key: 'orders.outcomes.certificate_mismatch',
        params: { findings: check.findings.map((f) => f.code).join(', ') },
        findings: check.findings,
      });
    }
    await batch.commits.write(async (em) => {
      if (
        !(await this.leases.complete(em, batch.claim, row, {
          state: 'issued',
          lastOutcome: null,
          polls: row.polls + 1,
        }))
      ) {
        return;
      }
      const replaced = request.replacesCertificateId
        ? await em.findOneBy(Certificate, { id: request.replacesCertificateId })
        : null;
      const certificate = await this.certificates.storeIssued(em, {
        requestId: request.id,
        leafDer,
        chainDer,
        replacesId: replaced?.id ?? null,
      });
      await this.lifecycle.transition(COLLECTOR, request.id, 'collect-issued', {
        em,
        detail: { orderNumber: row.caOrderNumber, certificateId: certificate.id },
      });
      // The request of the certificate this one renews or replaces is done with too.
      if (replaced?.requestId) {
        const old = await em.findOneBy(CertificateRequest, { id: replaced.requestId });
        if (old?.status === 'issued') {
          await this.lifecycle.transition(COLLECTOR, old.id, 'supersede', {
            em,
            detail: { by: request.id, certificateId: certificate.id },
          });
        }
      }
    });
    return 'issued';
  }

  private async refuse(
    { claim, commits }: Batch,
    row: CaOrder,
    outcome: OrderOutcome,
  ): Promise<'refused'> {
    await commits.write(async (em) => {
      if (
        !(await this.leases.complete(em, claim, row, { state: 'refused', lastOutcome: outcome }))
      ) {
        return;
      }
      await this.lifecycle.transition(COLLECTOR, row.requestId, 'fail', {
        em,
        reason: this.i18n.t('en', outcome.key, outcome.params),
        detail: { orderNumber: row.caOrderNumber, caCode: outcome.caCode ?? null, outcome },
      });
    });
    return 'refused';
  }
}
