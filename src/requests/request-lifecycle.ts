import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { can, type Action, type Place } from '../access/access.js';
import type { Principal } from '../accounts/principal.js';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { NotFound, ValidationFailed } from '../common/errors.js';
import { Transactions } from '../database/transactions.js';
import { Organisation } from '../organisations/organisation.entity.js';
import { CertificateRequest } from './certificate-request.entity.js';
import type { RequestStatus } from './request-status.js';
import {
  RequestActionForbidden,
  RequestActionNotAllowed,
  RequestChanged,
} from './requests.errors.js';

// Every request starts here; RequestsService creates it, the lifecycle moves it on.
export const INITIAL_STATUS: RequestStatus = 'submitted';

export const REQUEST_ACTIONS = [
  'cancel',
  'approve',
  'reject',
  'expire',
  'order',
  'ack',
  'mark-unknown',
  'reconcile',
  'resend',
  'fail',
  'collect-issued',
  'revoke',
  'supersede',
] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

export interface Step {
  from: readonly RequestStatus[];
  to: RequestStatus;
  // A person may take the step where access.ts grants them this action at the request's place.
  person?: Action;
  // The RA itself may take it (a scheduled job, the CA pipeline), audited as the system.
  system?: boolean;
  // Words that go with the step into the audit trail: a rejection's reason, the CA's refusal.
  reason?: 'required' | 'optional';
  audit: string;
}

// The request's life (DESIGN.md): one row per action, the only way a status changes.
export const LIFECYCLE: Readonly<Record<RequestAction, Step>> = {
  cancel: {
    from: ['submitted', 'approved'],
    to: 'cancelled',
    person: 'request.cancel',
    reason: 'optional',
    audit: 'request.cancelled',
  },
  // The system approves where a policy says so (automatic approval, issue 10).
  approve: {
    from: ['submitted'],
    to: 'approved',
    person: 'request.approve',
    system: true,
    reason: 'optional',
    audit: 'request.approved',
  },
  reject: {
    from: ['submitted'],
    to: 'rejected',
    person: 'request.reject',
    reason: 'required',
    audit: 'request.rejected',
  },
  expire: { from: ['submitted'], to: 'expired', system: true, audit: 'request.expired' },
  order: { from: ['approved'], to: 'ordering', system: true, audit: 'request.ordering' },
  ack: { from: ['ordering'], to: 'ordered', system: true, audit: 'request.ordered' },
  // Sent, no answer: never re-sent by itself (issue 9); a person or the CA's records settle it.
  'mark-unknown': {
    from: ['ordering'],
    to: 'needs-reconciliation',
    system: true,
    audit: 'request.needs-reconciliation',
  },
  reconcile: {
    from: ['needs-reconciliation'],
    to: 'ordered',
    person: 'request.reconcile',
    system: true,
    reason: 'optional',
    audit: 'request.reconciled',
  },
  // The RAO found no order at the CA: a new attempt (issue 9).
  resend: {
    from: ['needs-reconciliation'],
    to: 'ordering',
    person: 'request.reconcile',
    reason: 'optional',
    audit: 'request.resent',
  },
  fail: {
    from: ['ordering', 'needs-reconciliation', 'ordered'],
    to: 'failed',
    system: true,
    reason: 'required',
    audit: 'request.failed',
  },
  'collect-issued': { from: ['ordered'], to: 'issued', system: true, audit: 'request.issued' },
  // A person decides; the pipeline takes the step once the CA has revoked.
  revoke: {
    from: ['issued'],
    to: 'revoked',
    person: 'request.revoke',
    system: true,
    reason: 'optional',
    audit: 'request.revoked',
  },
  supersede: { from: ['issued'], to: 'superseded', system: true, audit: 'request.superseded' },
};

// What people can do through a page or the API today. Approval (issue 10) and revocation and
// reconciliation (issue 9) add theirs here when they add their doors.
export const OFFERED_ACTIONS: readonly RequestAction[] = ['cancel'];

// An action named in a path (`POST /requests/:id/:action`): one of those offered, or no such page.
export function offeredAction(value: string): RequestAction {
  const action = OFFERED_ACTIONS.find((a) => a === value);
  if (!action) {
    throw new NotFound('page');
  }
  return action;
}

// Where an action leads from a state, or a refusal naming both.
export function nextStatus(status: RequestStatus, action: RequestAction): RequestStatus {
  const step = LIFECYCLE[action];
  if (!step.from.includes(status)) {
    throw new RequestActionNotAllowed(action, status);
  }
  return step.to;
}

// Who acts: a person (their grants decide, their actor is audited) or the RA itself.
export type Acting = { principal: Principal; actor: Actor } | { system: string };

export function systemActing(job: string): Acting {
  return { system: job };
}

export interface RequestPlace {
  status: RequestStatus;
  requesterId: number;
  organisationId: number;
  departmentId: number;
  organisation: { nrenId: number };
}

export function placeOfRequest(r: Omit<RequestPlace, 'status'>): Place {
  return {
    nrenId: r.organisation.nrenId,
    organisationId: r.organisationId,
    departmentId: r.departmentId,
    requesterId: r.requesterId,
  };
}

// May this person take this action on the request as it is now (state and grants)?
export function mayTake(p: Principal, r: RequestPlace, action: RequestAction): boolean {
  const step = LIFECYCLE[action];
  return (
    step.from.includes(r.status) &&
    step.person !== undefined &&
    can(p, step.person, placeOfRequest(r))
  );
}

// What this person may do with the request now, through the doors that exist: pages and API
// responses show exactly these.
export function allowedActions(p: Principal, r: RequestPlace): RequestAction[] {
  return OFFERED_ACTIONS.filter((action) => mayTake(p, r, action));
}

export interface TransitionOptions {
  // The version the person saw; a system step may leave it out and act on the current row.
  expectedVersion?: number;
  reason?: string;
  // Goes into the audit row with the step (the CA's code, an order number).
  detail?: Record<string, unknown>;
  // Join the caller's transaction, for work that must commit with the step.
  em?: EntityManager;
}

export type RequestWithPlace = CertificateRequest & { organisation: Organisation };

@Injectable()
export class RequestLifecycle {
  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  // Takes one step: checks who may, that the state allows it and that nobody changed the
  // request meanwhile; bumps the version and writes the audit row in the same transaction.
  transition(
    by: Acting,
    requestId: number,
    action: RequestAction,
    options: TransitionOptions = {},
  ): Promise<RequestWithPlace> {
    const work = (em: EntityManager) => this.step(em, by, requestId, action, options);
    return options.em ? work(options.em) : this.tx.run(work);
  }

  private async step(
    em: EntityManager,
    by: Acting,
    requestId: number,
    action: RequestAction,
    { expectedVersion, reason, detail }: TransitionOptions,
  ): Promise<RequestWithPlace> {
    const step = LIFECYCLE[action];
    const request = await em.findOne(CertificateRequest, {
      where: { id: requestId },
      lock: this.tx.forUpdate,
    });
    if (!request) {
      throw new NotFound('request');
    }
    const organisation = await em.findOneByOrFail(Organisation, { id: request.organisationId });
    const place = placeOfRequest({ ...request, organisation });
    if ('principal' in by) {
      if (!can(by.principal, 'request.view', place)) {
        throw new NotFound('request');
      }
      if (!step.person || !can(by.principal, step.person, place)) {
        throw new RequestActionForbidden(action);
      }
    } else if (!step.system) {
      throw new RequestActionForbidden(action);
    }
    const to = nextStatus(request.status, action);
    if (expectedVersion !== undefined && expectedVersion !== request.version) {
      throw new RequestChanged();
    }
    const words = reason?.trim() ?? '';
    if (step.reason === 'required' && !words) {
      throw new ValidationFailed([{ field: 'reason', code: 'required' }]);
    }
    // The version and status in the condition make the step exactly-once even where the row
    // lock is not taken (SQLite, whose transactions take turns instead). The update bumps it.
    const result = await em
      .createQueryBuilder()
      .update(CertificateRequest)
      .set({ status: to, statusChangedAt: this.clock.now() })
      .where('id = :id AND version = :version AND status = :status', {
        id: request.id,
        version: request.version,
        status: request.status,
      })
      .execute();
    if (!result.affected) {
      throw new RequestChanged();
    }
    const actor: Actor =
      'principal' in by ? by.actor : { id: null, label: `system (${by.system})` };
    await this.audit.record(em, actor, {
      action: step.audit,
      subjectType: 'request',
      subjectId: request.id,
      detail: {
        ...detail,
        action,
        from: request.status,
        to,
        ...(words && step.reason ? { reason: words } : {}),
      },
    });
    const updated = await em.findOneOrFail(CertificateRequest, {
      where: { id: request.id },
      relations: { product: true, department: true },
    });
    return Object.assign(updated, { organisation });
  }
}
