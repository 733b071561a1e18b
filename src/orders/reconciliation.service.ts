import { Inject, Injectable } from '@nestjs/common';
import { Brackets } from 'typeorm';
import { can, scopeOf } from '../access/access.js';
import type { Principal } from '../accounts/principal.js';
import { User } from '../accounts/user.entity.js';
import type { Actor } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { ValidationFailed } from '../common/errors.js';
import { ordersConfig, type OrdersConfig } from '../config/orders.config.js';
import { Transactions } from '../database/transactions.js';
import { wholeSeconds } from '../database/whole-seconds.js';
import { Organisation } from '../organisations/organisation.entity.js';
import { CertificateRequest } from '../requests/certificate-request.entity.js';
import { placeOfRequest, RequestLifecycle } from '../requests/request-lifecycle.js';
import { RequestChanged } from '../requests/requests.errors.js';
import { CaOrder } from './ca-order.entity.js';

// An order the RA sent without learning the outcome, with what is known about it.
export interface Unsettled {
  request: CertificateRequest;
  organisation: Organisation;
  requesterEmail: string;
  order: CaOrder;
}

export interface SettleInput {
  version: number;
  reason?: string;
}

const ORDER_NUMBER = /^[A-Za-z0-9-]{1,64}$/;

// An RAO settles an order whose outcome is unknown: the CA has it (they enter its order
// number and the collector takes over) or it has not (they send it again, a new attempt).
// Either is a step of the request's lifecycle, audited, in one transaction with the order row.
@Injectable()
export class ReconciliationService {
  constructor(
    private readonly tx: Transactions,
    private readonly lifecycle: RequestLifecycle,
    private readonly clock: Clock,
    @Inject(ordersConfig.KEY) private readonly config: OrdersConfig,
  ) {}

  async list(p: Principal): Promise<Unsettled[]> {
    const s = scopeOf(p);
    const qb = this.tx.manager
      .createQueryBuilder(CertificateRequest, 'r')
      .innerJoinAndMapOne('r.organisation', Organisation, 'o', 'o.id = r.organisation_id')
      .innerJoinAndMapOne('r.order', CaOrder, 'co', 'co.request_id = r.id')
      .leftJoinAndMapOne('r.requester', User, 'u', 'u.id = r.requester_id')
      .where("r.status = 'needs-reconciliation'")
      .orderBy('r.status_changed_at', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .take(200);
    if (!s.platform) {
      qb.andWhere(
        new Brackets((w) => {
          w.where('r.organisation_id IN (:...orgs)', { orgs: [0, ...s.raoOrganisations] }).orWhere(
            'o.nren_id IN (:...nrens)',
            { nrens: [0, ...s.nrens] },
          );
        }),
      );
    }
    const rows = (await qb.getMany()) as (CertificateRequest & {
      organisation: Organisation;
      order: CaOrder;
      requester?: User;
    })[];
    return rows
      .filter((r) => can(p, 'request.reconcile', placeOfRequest(r)))
      .map(({ organisation, order, requester, ...request }) => ({
        request: request,
        organisation,
        order,
        requesterEmail: requester?.email ?? '',
      }));
  }

  // The CA has the order: its number is recorded and the collector polls it from now.
  async recordOrderNumber(
    p: Principal,
    actor: Actor,
    requestId: number,
    input: SettleInput & { orderNumber: string },
  ): Promise<CertificateRequest> {
    const orderNumber = input.orderNumber.trim();
    if (!ORDER_NUMBER.test(orderNumber)) {
      throw new ValidationFailed([{ field: 'orderNumber', code: 'order_number_invalid' }]);
    }
    const now = wholeSeconds(this.clock.now());
    return this.tx.run(async (em) => {
      const request = await this.lifecycle.transition(
        { principal: p, actor },
        requestId,
        'reconcile',
        {
          em,
          expectedVersion: input.version,
          reason: input.reason,
          detail: { orderNumber },
        },
      );
      const updated = await em.update(
        CaOrder,
        { requestId, state: 'unknown' },
        {
          state: 'ordered',
          caOrderNumber: orderNumber,
          orderedAt: now,
          dueAt: now,
          pollIntervalSeconds: this.config.pollMinSeconds,
          lastOutcome: null,
        },
      );
      if (!updated.affected) {
        throw new RequestChanged();
      }
      return request;
    });
  }

  // The CA has no such order: it is sent again by the orderer's next run, as a new attempt.
  async resend(
    p: Principal,
    actor: Actor,
    requestId: number,
    input: SettleInput,
  ): Promise<CertificateRequest> {
    const now = wholeSeconds(this.clock.now());
    return this.tx.run(async (em) => {
      const request = await this.lifecycle.transition(
        { principal: p, actor },
        requestId,
        'resend',
        {
          em,
          expectedVersion: input.version,
          reason: input.reason,
        },
      );
      const updated = await em.update(
        CaOrder,
        { requestId, state: 'unknown' },
        { state: 'queued', dueAt: now, lastOutcome: null },
      );
      if (!updated.affected) {
        throw new RequestChanged();
      }
      return request;
    });
  }
}
