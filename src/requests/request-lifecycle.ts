import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { appConfig } from '../config/app.config.js';
import { I18nService } from '../i18n/i18n.service.js';
import { isLanguage, type Language } from '../i18n/languages.js';
import { MailService } from '../mail/mail.service.js';
import { Nren } from '../nrens/nren.entity.js';
import type { EntityManager } from 'typeorm';
import { can, type Action, type Place } from '../access/access.js';
import type { Grant, Principal } from '../accounts/principal.js';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { NotFound, ValidationFailed } from '../common/errors.js';
import { Transactions } from '../database/transactions.js';
import { RequestApproval } from './request-approval.entity.js';
import { Substitution } from './substitution.entity.js';
import { RoleGrant } from '../accounts/role-grant.entity.js';
import { wantsNotification } from '../accounts/notifications.js';
import { User } from '../accounts/user.entity.js';
import { Organisation } from '../organisations/organisation.entity.js';
import { Product } from '../products/product.entity.js';
import { CertificateRequest } from './certificate-request.entity.js';
import type { RequestStatus } from './request-status.js';
import {
  DECIDED_STATUSES,
  RequestActionForbidden,
  RequestActionNotAllowed,
  RequestAlreadyDecided,
  RequestApprovedByYou,
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
export const OFFERED_ACTIONS: readonly RequestAction[] = ['approve', 'reject', 'cancel'];

type Params = Record<string, string | number>;

// Outcomes the requester is told about by e-mail (unless they chose not to be).
const NOTIFIED = new Set<RequestStatus>(['approved', 'rejected', 'expired', 'issued', 'failed']);

// Decisions a substitute may take in the place of an absent approver.
const SUBSTITUTABLE = new Set<RequestAction>(['approve', 'reject']);

// An action named in a path (`POST /requests/:id/:action`): one of those offered, or no such page.
export function offeredAction(value: string): RequestAction {
  const action = OFFERED_ACTIONS.find((a) => a === value);
  if (!action) {
    throw new NotFound('page');
  }
  return action;
}

// Why an action is refused in a state: a decision that comes too late says how the request was
// decided, so the second of two approvers knows what happened; anything else has moved on.
export function refusalCode(status: RequestStatus, action: RequestAction): string {
  const decided = DECIDED_STATUSES.find((d) => d === status);
  return decided && LIFECYCLE[action].from.includes('submitted')
    ? `request_already_${decided}`
    : 'request_action_not_allowed';
}

// Where an action leads from a state, or a refusal naming both.
export function nextStatus(status: RequestStatus, action: RequestAction): RequestStatus {
  const step = LIFECYCLE[action];
  if (!step.from.includes(status)) {
    const decided = DECIDED_STATUSES.find((d) => d === status);
    if (decided && refusalCode(status, action) !== 'request_action_not_allowed') {
      throw new RequestAlreadyDecided(action, decided);
    }
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
  organisation: { nrenId: number; selfApprovalAllowed?: boolean };
}

export function placeOfRequest(r: Omit<RequestPlace, 'status'>): Place {
  return {
    nrenId: r.organisation.nrenId,
    selfApprovalAllowed: r.organisation.selfApprovalAllowed ?? false,
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
// Someone whose approval is already counted (N-of-M) is not offered to approve again.
export function allowedActions(
  p: Principal,
  r: RequestPlace,
  approvedBy: readonly number[] = [],
): RequestAction[] {
  return OFFERED_ACTIONS.filter(
    (action) => mayTake(p, r, action) && !(action === 'approve' && approvedBy.includes(p.userId)),
  );
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

// Someone who decides in the place of an absent approver; the audit names both.
export interface OnBehalfOf {
  id: number;
  label: string;
}

@Injectable()
export class RequestLifecycle {
  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly mail: MailService,
    private readonly i18n: I18nService,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  // The requester hears of the decision (or of its absence), of the certificate or of the
  // order's failure, in their own language, falling back to their NREN's, then to the
  // platform default; queued with the step, so both commit together and a step rolled back
  // and taken again sends one mail.
  private async tellRequester(
    em: EntityManager,
    request: CertificateRequest,
    organisation: Organisation,
    to: RequestStatus,
    reason: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    if (!NOTIFIED.has(to)) {
      return;
    }
    const requester = await em.findOneBy(User, { id: request.requesterId });
    if (!requester?.active || !(await wantsNotification(em, requester.id, `request-${to}`))) {
      return;
    }
    const nren = await em.findOneBy(Nren, { id: organisation.nrenId });
    const language = isLanguage(requester.language)
      ? requester.language
      : isLanguage(nren?.defaultLanguage)
        ? nren.defaultLanguage
        : this.app.defaultLanguage;
    await this.mail.enqueue(em, {
      to: requester.email,
      template: `request-${to}`,
      language,
      context: {
        id: request.id,
        names: request.names.join(', ') || request.subject,
        reason,
        ...this.mailDetail(to, detail, language),
      },
    });
  }

  // What the pipeline's step recorded, for the mail: the certificate to fetch, or why the
  // order failed (the CA's refusal, the issued-certificate check's findings) in the reader's
  // words rather than the English kept in the audit trail.
  private mailDetail(
    to: RequestStatus,
    detail: Record<string, unknown>,
    language: Language,
  ): Record<string, unknown> {
    if (to === 'issued' && typeof detail.certificateId === 'number') {
      return { certificateId: detail.certificateId };
    }
    // The shape of the orders' OrderOutcome, which request-outcome.ts reads the same way.
    const outcome = detail.outcome as
      | { key?: unknown; params?: Params; findings?: { code: string; params: Params }[] }
      | undefined;
    if (to !== 'failed' || typeof outcome?.key !== 'string') {
      return {};
    }
    return {
      reason: this.i18n.t(language, outcome.key, outcome.params ?? {}),
      findings: (outcome.findings ?? []).map((f) =>
        this.i18n.t(language, `certificates.findings.${f.code}`, f.params),
      ),
    };
  }

  // Takes one step: checks who may, that the state allows it and that nobody changed the
  // request meanwhile; bumps the version and writes the audit row in the same transaction.
  // An approval that is not yet the last one a product needs (N-of-M) is recorded and
  // audited without moving the request on.
  transition(
    by: Acting,
    requestId: number,
    action: RequestAction,
    options: TransitionOptions = {},
  ): Promise<RequestWithPlace> {
    const work = (em: EntityManager) => this.step(em, by, requestId, action, options);
    return options.em ? work(options.em) : this.tx.run(work);
  }

  // The absent approver whose place this person takes for this action on this request now,
  // if any. The substitute's own identity stays: separation of duties applies to them.
  async substituteFor(
    em: EntityManager,
    p: Principal,
    permission: Action,
    place: Place,
  ): Promise<OnBehalfOf | null> {
    const now = this.clock.now();
    const appointments = await em
      .createQueryBuilder(Substitution, 's')
      .where('s.substitute_id = :me AND s.starts_at <= :now AND s.ends_at > :now', {
        me: p.userId,
        now,
      })
      .orderBy('s.id')
      .take(20)
      .getMany();
    for (const a of appointments) {
      const grants = await em.find(RoleGrant, { where: { userId: a.absentId } });
      const deciding = grants
        .filter((g) => g.role === 'rao' || g.role === 'drao')
        .map((g) => ({ role: g.role, scopeId: g.scopeId }));
      if (can({ ...p, grants: deciding }, permission, place)) {
        const absent = await em.findOneBy(User, { id: a.absentId });
        if (absent?.active) {
          return { id: absent.id, label: absent.displayName || absent.email };
        }
      }
    }
    return null;
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
    let onBehalfOf: OnBehalfOf | null = null;
    if ('principal' in by) {
      const allowed = step.person !== undefined && can(by.principal, step.person, place);
      if (!allowed && step.person && SUBSTITUTABLE.has(action)) {
        onBehalfOf = await this.substituteFor(em, by.principal, step.person, place);
      }
      if (!onBehalfOf && !can(by.principal, 'request.view', place)) {
        throw new NotFound('request');
      }
      if (!allowed && !onBehalfOf) {
        throw new RequestActionForbidden(action);
      }
    } else if (!step.system) {
      throw new RequestActionForbidden(action);
    }
    let to = nextStatus(request.status, action);
    if (expectedVersion !== undefined && expectedVersion !== request.version) {
      throw new RequestChanged();
    }
    const words = reason?.trim() ?? '';
    if (step.reason === 'required' && !words) {
      throw new ValidationFailed([{ field: 'reason', code: 'required' }]);
    }
    const actor: Actor =
      'principal' in by ? by.actor : { id: null, label: `system (${by.system})` };
    let auditAction = step.audit;
    let counted: Record<string, unknown> = {};
    if (action === 'approve' && 'principal' in by) {
      const tally = await this.countApproval(em, request, by.principal, actor, onBehalfOf);
      counted = { approvals: tally.approvals, required: tally.required };
      if (tally.approvals < tally.required) {
        to = request.status;
        auditAction = 'request.approval-recorded';
      }
    }
    // The version and status in the condition make the step exactly-once even where the row
    // lock is not taken (SQLite, whose transactions take turns instead). The update bumps it.
    const result = await em
      .createQueryBuilder()
      .update(CertificateRequest)
      .set(
        to === request.status
          ? { status: to }
          : {
              status: to,
              statusChangedAt: this.clock.now(),
              statusReason: words && step.reason ? words.slice(0, 2000) : null,
            },
      )
      .where('id = :id AND version = :version AND status = :status', {
        id: request.id,
        version: request.version,
        status: request.status,
      })
      .execute();
    if (!result.affected) {
      throw new RequestChanged();
    }
    await this.audit.record(em, actor, {
      action: auditAction,
      subjectType: 'request',
      subjectId: request.id,
      detail: {
        ...detail,
        action,
        from: request.status,
        to,
        ...counted,
        ...(onBehalfOf ? { onBehalfOf } : {}),
        ...(words && step.reason ? { reason: words } : {}),
      },
    });
    if (to !== request.status) {
      await this.tellRequester(em, request, organisation, to, words, detail ?? {});
    }
    const updated = await em.findOneOrFail(CertificateRequest, {
      where: { id: request.id },
      relations: { product: true, department: true },
    });
    return Object.assign(updated, { organisation });
  }

  // One approval per person and request (the unique key holds it across instances); the
  // product says how many different people it takes.
  private async countApproval(
    em: EntityManager,
    request: CertificateRequest,
    p: Principal,
    actor: Actor,
    onBehalfOf: OnBehalfOf | null,
  ): Promise<{ approvals: number; required: number }> {
    if (await em.existsBy(RequestApproval, { requestId: request.id, personId: p.userId })) {
      throw new RequestApprovedByYou();
    }
    await em.insert(RequestApproval, {
      requestId: request.id,
      personId: p.userId,
      personLabel: actor.label.slice(0, 254),
      onBehalfOfId: onBehalfOf?.id ?? null,
    });
    const product = await em.findOneByOrFail(Product, { id: request.productId });
    const approvals = await em.countBy(RequestApproval, { requestId: request.id });
    return { approvals, required: Math.max(1, product.approvalsRequired) };
  }

  // The grants someone decides with now: their own, and the RAO and DRAO grants of those they
  // stand in for today. Used for the queue; each decision is checked again by step().
  async decidingGrants(p: Principal): Promise<Grant[]> {
    const now = this.clock.now();
    const absent = await this.tx.manager
      .createQueryBuilder(Substitution, 's')
      .where('s.substitute_id = :me AND s.starts_at <= :now AND s.ends_at > :now', {
        me: p.userId,
        now,
      })
      .take(20)
      .getMany();
    const borrowed = absent.length
      ? await this.tx.manager
          .createQueryBuilder(RoleGrant, 'g')
          .where('g.user_id IN (:...ids) AND g.role IN (:...roles)', {
            ids: absent.map((a) => a.absentId),
            roles: ['rao', 'drao'],
          })
          .getMany()
      : [];
    return [...p.grants, ...borrowed.map((g) => ({ role: g.role, scopeId: g.scopeId }))];
  }

  // What the person may do now, as allowedActions, plus the decisions they may take in the
  // place of an absent approver (pages and API offer a substitute approve and reject).
  async actionsFor(
    p: Principal,
    r: RequestWithPlace,
    approvedBy: readonly number[] = [],
  ): Promise<RequestAction[]> {
    const own = allowedActions(p, r, approvedBy);
    const place = placeOfRequest(r);
    const borrowed: RequestAction[] = [];
    for (const action of SUBSTITUTABLE) {
      const step = LIFECYCLE[action];
      if (
        own.includes(action) ||
        !step.person ||
        !step.from.includes(r.status) ||
        (action === 'approve' && approvedBy.includes(p.userId))
      ) {
        continue;
      }
      if (await this.substituteFor(this.tx.manager, p, step.person, place)) {
        borrowed.push(action);
      }
    }
    return OFFERED_ACTIONS.filter((a) => own.includes(a) || borrowed.includes(a));
  }

  // Who has approved so far, oldest first (the request page and the API show it).
  approvalsOf(requestId: number): Promise<RequestApproval[]> {
    return this.tx.manager.find(RequestApproval, {
      where: { requestId },
      order: { id: 'ASC' },
    });
  }
}
