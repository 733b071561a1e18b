import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CaClient, type CaOrderPlaced } from '../ca/ca-client.js';
import { profileOf } from '../ca/legacy/product-fields.js';
import { DomainError } from '../common/errors.js';
import { caConfig, type CaConfig } from '../config/ca.config.js';
import { ordersConfig, type OrdersConfig } from '../config/orders.config.js';
import { GroupCommit } from '../database/group-commit.js';
import { Leases, type Claim } from '../database/leases.js';
import { insertOnce } from '../database/exactly-once.js';
import { Transactions } from '../database/transactions.js';
import { wholeSeconds } from '../database/whole-seconds.js';
import { I18nService } from '../i18n/i18n.service.js';
import { CertificateRequest } from '../requests/certificate-request.entity.js';
import { RequestLifecycle, systemActing } from '../requests/request-lifecycle.js';
import { CaAccounts } from './ca-accounts.js';
import { CaOrder, type OrderOutcome } from './ca-order.entity.js';
import {
  after,
  BATCH,
  type Batch,
  backoffSeconds,
  classifyFailure,
  leaseMs,
  type CallFailure,
} from './pipeline.js';

export interface OrderRunResult {
  ordered: number;
  refused: number;
  retrying: number;
  unknown: number;
  // Rows left "sending" by a process that died, now waiting for an RAO.
  abandoned: number;
}

type LoadedRequest = CertificateRequest & {
  product: NonNullable<CertificateRequest['product']>;
  department: NonNullable<CertificateRequest['department']> & {
    organisation: NonNullable<CertificateRequest['department']['organisation']>;
  };
};

const ORDERER = systemActing('ca-orderer');
type AccountOf = ReturnType<CaAccounts['memo']>;

// Sends approved requests to the CA, each at most once by itself. For every order the row
// is set to "sending" (with the request moved to ordering) and committed before the call,
// and the outcome written after it. A process that dies in between leaves a "sending" row
// whose lease runs out; the next run hands it to an RAO instead of sending it again.
@Injectable()
export class OrderingService {
  private readonly logger = new Logger(OrderingService.name);

  constructor(
    private readonly tx: Transactions,
    private readonly leases: Leases,
    private readonly lifecycle: RequestLifecycle,
    private readonly client: CaClient,
    private readonly accounts: CaAccounts,
    private readonly i18n: I18nService,
    @Inject(caConfig.KEY) private readonly ca: CaConfig,
    @Inject(ordersConfig.KEY) private readonly config: OrdersConfig,
  ) {}

  async run(now: Date): Promise<OrderRunResult> {
    const result: OrderRunResult = {
      ordered: 0,
      refused: 0,
      retrying: 0,
      unknown: 0,
      abandoned: 0,
    };
    await this.enqueueApproved(now);
    result.abandoned = await this.settleAbandoned(now);
    const claim = await this.leases.claim(CaOrder, {
      due: "state = 'queued' AND due_at <= :now",
      orderBy: 'dueAt',
      limit: BATCH,
      leaseMs: leaseMs(this.ca),
      now,
    });
    const accountOf = this.accounts.memo(this.tx.manager);
    const marked = await this.markAllSending(claim, now);
    // Outcomes that arrive together share a commit.
    const batch: Batch = { claim, commits: new GroupCommit(this.tx) };
    const outcomes = await Promise.all(
      marked.map(({ row, request }) => this.send(batch, row, request, now, accountOf)),
    );
    for (const o of outcomes) {
      result[o] += 1;
    }
    return result;
  }

  // Approved requests without an order get one, once (the request id is unique in ca_orders).
  private async enqueueApproved(now: Date): Promise<void> {
    const waiting = await this.tx.manager
      .createQueryBuilder(CertificateRequest, 'r')
      .leftJoin(CaOrder, 'o', 'o.request_id = r.id')
      .select('r.id', 'id')
      .where("r.status = 'approved'")
      .andWhere('o.id IS NULL')
      .orderBy('r.id')
      .limit(100)
      .getRawMany<{ id: number }>();
    if (waiting.length === 0) {
      return;
    }
    // Two instances may insert the same rows at once; InnoDB may pick one as a deadlock victim.
    await this.tx.runRetrying(async (em) => {
      for (const { id } of waiting) {
        await insertOnce(em, CaOrder, {
          requestId: Number(id),
          foreignOrderNumber: String(id),
          state: 'queued',
          dueAt: wholeSeconds(now),
        });
      }
    });
  }

  // A "sending" row whose lease ran out belongs to a process that died between sending and
  // recording (a live one records within its lease): the CA may have the order. It goes to
  // an RAO; sending it again could order it twice.
  private async settleAbandoned(now: Date): Promise<number> {
    const claim = await this.leases.claim(CaOrder, {
      due: "state = 'sending'",
      limit: BATCH,
      leaseMs: 60_000,
      now,
    });
    let settled = 0;
    for (const row of claim.rows) {
      const outcome: OrderOutcome = { key: 'orders.outcomes.abandoned', params: {} };
      // Retried whole when MySQL picks it as a deadlock victim, so it counts only once it held.
      const held = await this.tx.runRetrying(async (em) => {
        if (
          !(await this.leases.complete(em, claim, row, { state: 'unknown', lastOutcome: outcome }))
        ) {
          return false;
        }
        await this.lifecycle.transition(ORDERER, row.requestId, 'mark-unknown', {
          em,
          detail: { attempt: row.attempts, outcome },
        });
        return true;
      });
      settled += held ? 1 : 0;
      this.logger.warn(`order for request ${row.requestId}: left sending by a stopped process`);
    }
    return settled;
  }

  // Every claimed row to "sending" in one transaction (one commit for the batch); should one
  // of them fail, each on its own, so one bad row holds up no other.
  private async markAllSending(
    claim: Claim<CaOrder>,
    now: Date,
  ): Promise<{ row: CaOrder; request: LoadedRequest }[]> {
    const ready = (marks: ({ row: CaOrder; request: LoadedRequest | null } | null)[]) =>
      marks.flatMap((m) => (m?.request ? [{ row: m.row, request: m.request }] : []));
    if (claim.rows.length === 0) {
      return [];
    }
    try {
      return ready(
        await this.tx.runRetrying(async (em) => {
          const marks = [];
          for (const row of claim.rows) {
            marks.push({ row, request: await this.markSending(em, claim, row, now) });
          }
          return marks;
        }),
      );
    } catch {
      const marks = [];
      for (const row of claim.rows) {
        try {
          marks.push({
            row,
            request: await this.tx.runRetrying((em) => this.markSending(em, claim, row, now)),
          });
        } catch (err) {
          // Nothing was sent: the row goes back to the queue for the next run.
          this.logger.error(`order for request ${row.requestId}: ${(err as Error).message}`);
          await this.leases.release(claim, [row]);
        }
      }
      return ready(marks);
    }
  }

  private async send(
    { claim, commits }: Batch,
    row: CaOrder,
    request: LoadedRequest,
    now: Date,
    accountOf: AccountOf,
  ): Promise<keyof Omit<OrderRunResult, 'abandoned'>> {
    let placed: CaOrderPlaced;
    try {
      placed = await this.call(request, accountOf);
    } catch (err) {
      return this.recordFailure({ claim, commits }, row, this.failureOf(row, err), now);
    }
    const pollMin = this.config.pollMinSeconds;
    await commits.write(async (em) => {
      const held = await this.leases.complete(em, claim, row, {
        state: 'ordered',
        caOrderNumber: placed.orderNumber,
        orderedAt: wholeSeconds(now),
        // Issued at once: the collector takes it on its next run.
        dueAt: wholeSeconds(placed.issued ? now : after(now, pollMin)),
        pollIntervalSeconds: pollMin,
        lastOutcome: null,
      });
      if (!held) {
        // Only when this process outlived its lease: the row went to an RAO meanwhile, who
        // needs this number. It is not secret.
        this.logger.warn(
          `order for request ${row.requestId}: placed as CA order ${placed.orderNumber} after its lease ran out; reconcile with that number`,
        );
        return;
      }
      await this.lifecycle.transition(ORDERER, row.requestId, 'ack', {
        em,
        detail: { orderNumber: placed.orderNumber, attempt: row.attempts + 1 },
      });
    });
    return 'ordered';
  }

  // In one transaction before the call: the request moves to ordering (first attempt) and the
  // row to "sending", still under this claim. Null: nothing to send (the request was withdrawn).
  private async markSending(
    em: EntityManager,
    claim: Claim<CaOrder>,
    row: CaOrder,
    now: Date,
  ): Promise<LoadedRequest | null> {
    const request = (await em.findOneOrFail(CertificateRequest, {
      where: { id: row.requestId },
      relations: { product: true, department: { organisation: true } },
    })) as LoadedRequest;
    if (request.status === 'approved') {
      await this.lifecycle.transition(ORDERER, request.id, 'order', {
        em,
        detail: { foreignOrderNumber: row.foreignOrderNumber },
      });
    } else if (request.status !== 'ordering') {
      await this.leases.complete(em, claim, row, { state: 'cancelled' });
      return null;
    }
    const marked = await em.update(
      CaOrder,
      { id: row.id, claimedBy: claim.token },
      { state: 'sending', attempts: row.attempts + 1, lastAttemptAt: wholeSeconds(now) },
    );
    if (!marked.affected) {
      throw new Error('claim lost before sending');
    }
    return request;
  }

  private failureOf(row: CaOrder, err: unknown): CallFailure | NoAccountFailure {
    if (err instanceof NoCaAccount) {
      return { kind: 'no-account', outcome: { key: 'orders.outcomes.no_account', params: {} } };
    }
    if (err instanceof NoOrderToReplace) {
      return {
        kind: 'refused',
        outcome: { key: 'orders.outcomes.nothing_to_replace', params: {} },
      };
    }
    const failure = classifyFailure(err);
    if (!(err instanceof DomainError)) {
      this.logger.error(`order for request ${row.requestId}: ${(err as Error).message}`);
    }
    return failure;
  }

  private async call(request: LoadedRequest, accountOf: AccountOf): Promise<CaOrderPlaced> {
    const account = await accountOf(request.department.organisation.nrenId);
    if (!account) {
      throw new NoCaAccount();
    }
    if (request.replacesHow === 'replace' && request.replacesCertificateId !== null) {
      const previous = await this.tx.manager
        .createQueryBuilder(CaOrder, 'o')
        .innerJoin('certificates', 'c', 'c.request_id = o.request_id')
        .where('c.id = :id', { id: request.replacesCertificateId })
        .andWhere('o.ca_order_number IS NOT NULL')
        .getOne();
      if (!previous?.caOrderNumber) {
        throw new NoOrderToReplace();
      }
      await this.client.replace(account, {
        orderNumber: previous.caOrderNumber,
        csrPem: request.csrPem,
        names: request.names,
      });
      return { orderNumber: previous.caOrderNumber, issued: null };
    }
    const org = request.department.organisation;
    return this.client.order(account, {
      foreignOrderNumber: String(request.id),
      productCode: request.product.code,
      profile: profileOf(request.product),
      csrPem: request.csrPem,
      names: request.names,
      days: request.validityDays,
      organisation: {
        name: org.name,
        street: org.streetAddress,
        locality: org.locality,
        state: org.stateOrProvince || null,
        postalCode: org.postalCode || null,
        country: org.country,
      },
    });
  }

  private async recordFailure(
    { claim, commits }: Batch,
    row: CaOrder,
    failure: CallFailure | NoAccountFailure,
    now: Date,
  ): Promise<'refused' | 'retrying' | 'unknown'> {
    const attempts = row.attempts + 1;
    return commits.write(async (em) => {
      switch (failure.kind) {
        case 'unavailable':
        case 'no-account': {
          // Nothing reached the CA: the request stays ordering, the row waits its turn again.
          const wait = backoffSeconds(
            attempts,
            this.config.retryMinSeconds,
            this.config.retryMaxSeconds,
          );
          await this.leases.complete(em, claim, row, {
            state: 'queued',
            dueAt: wholeSeconds(after(now, wait)),
            lastOutcome: failure.outcome,
          });
          return 'retrying';
        }
        case 'refused': {
          if (
            !(await this.leases.complete(em, claim, row, {
              state: 'refused',
              lastOutcome: failure.outcome,
            }))
          ) {
            return 'refused';
          }
          await this.lifecycle.transition(ORDERER, row.requestId, 'fail', {
            em,
            reason: this.i18n.t('en', failure.outcome.key, failure.outcome.params),
            detail: {
              caCode: failure.outcome.caCode ?? null,
              attempt: attempts,
              outcome: failure.outcome,
            },
          });
          return 'refused';
        }
        case 'unknown': {
          if (
            !(await this.leases.complete(em, claim, row, {
              state: 'unknown',
              lastOutcome: failure.outcome,
            }))
          ) {
            return 'unknown';
          }
          await this.lifecycle.transition(ORDERER, row.requestId, 'mark-unknown', {
            em,
            detail: { attempt: attempts, outcome: failure.outcome },
          });
          return 'unknown';
        }
      }
    });
  }
}

// The NREN has no account at the CA in use: nothing was sent; retried until one is set.
class NoCaAccount extends Error {}
// A replacement whose certificate has no order at the CA (imported): it cannot be replaced.
class NoOrderToReplace extends Error {}

interface NoAccountFailure {
  kind: 'no-account';
  outcome: OrderOutcome;
}
