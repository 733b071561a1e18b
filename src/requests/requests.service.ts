import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Brackets, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { can, scopeOf } from '../access/access.js';
import type { Principal } from '../accounts/principal.js';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { NotFound } from '../common/errors.js';
import { likeMatch, likePattern, toPage, type Page, type PageRequest } from '../common/paging.js';
import { Transactions } from '../database/transactions.js';
import type { Language } from '../i18n/languages.js';
import { User } from '../accounts/user.entity.js';
import { Department } from '../organisations/department.entity.js';
import { Organisation } from '../organisations/organisation.entity.js';
import { CertificateRequest } from './certificate-request.entity.js';
import type { ParsedCsr } from '../csr/csr-parser.js';
import type { Verdict } from '../csr/csr-policy.js';
import type { Product } from '../products/product.entity.js';
import {
  CsrEvaluationService,
  type Evaluation,
  type RequestDraft,
} from './csr-evaluation.service.js';
import { DomainDelegation } from '../domains/domain-delegation.entity.js';
import { Domain } from '../domains/domain.entity.js';
import {
  INITIAL_STATUS,
  placeOfRequest,
  RequestLifecycle,
  systemActing,
  type RequestWithPlace,
} from './request-lifecycle.js';
import type { RequestStatus } from './request-status.js';
import { RequestRefused } from './requests.errors.js';

export interface RequestParticulars {
  requester: { name: string; email: string };
  names: { name: string; domain: string | null; state: string; validUntil: Date | null }[];
}

export interface RequestFilter {
  departmentId?: number;
  organisationId?: number;
  productId?: number;
  // A product's code (the request list's filter).
  product?: string;
  status?: RequestStatus;
  // In its present state (for the queue: waiting) for at least this many days.
  olderThanDays?: number;
  // Only those waiting for the caller's decision, oldest first.
  awaitingMe?: boolean;
}

// PEM text as given, or DER bytes armoured.
export function pemOf(csr: Uint8Array | string | undefined): string {
  if (csr === undefined) {
    return '';
  }
  const text = typeof csr === 'string' ? csr : Buffer.from(csr).toString('latin1');
  if (text.includes('-----BEGIN')) {
    return text;
  }
  const b64 = Buffer.from(csr).toString('base64');
  return `-----BEGIN CERTIFICATE REQUEST-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

const SUBMISSION_KEY = /^[A-Za-z0-9_-]{16,64}$/;

type Accepted = Evaluation & { verdict: Verdict; csr: ParsedCsr; product: Product };

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { driverError?: { code?: unknown } } | null)?.driverError?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

// Creating and finding requests. What happens to a request afterwards is the lifecycle's
// (request-lifecycle.ts); what a CSR is worth is the evaluation's (csr-evaluation.service.ts).
@Injectable()
export class RequestsService {
  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly evaluation: CsrEvaluationService,
    private readonly lifecycle: RequestLifecycle,
  ) {}

  // Automatic approval (per department, off by default): every name lies under a validated
  // domain delegated to the department, nothing raised a warning, and the product needs no
  // more than one approver. Checked here again rather than trusted from the evaluation.
  private async qualifiesForAutomaticApproval(
    em: EntityManager,
    request: CertificateRequest,
    department: Department,
    approvalsRequired: number,
  ): Promise<boolean> {
    if (!department.autoApprove || request.warnings.length > 0 || approvalsRequired > 1) {
      return false;
    }
    if (request.names.length === 0) {
      return false;
    }
    const delegated = await em
      .createQueryBuilder(Domain, 'd')
      .innerJoin(DomainDelegation, 'dd', 'dd.domain_id = d.id AND dd.department_id = :dep', {
        dep: department.id,
      })
      .where('d.organisation_id = :org AND d.state = :state', {
        org: department.organisationId,
        state: 'validated',
      })
      .getMany();
    const now = this.clock.now();
    const current = delegated.filter(
      (d) => !d.validationExpiresAt || d.validationExpiresAt.getTime() > now.getTime(),
    );
    return request.names.every((raw) => {
      const name = raw.toLowerCase().replace(/^\*\./, '');
      return current.some((d) => name === d.name || name.endsWith(`.${d.name}`));
    });
  }

  // Departments someone may request for: their own, and all of the organisations they run.
  async departmentsFor(p: Principal): Promise<(Department & { organisation: Organisation })[]> {
    const s = scopeOf(p);
    const qb = this.tx.manager
      .createQueryBuilder(Department, 'd')
      .innerJoinAndSelect('d.organisation', 'o')
      .orderBy('o.name')
      .addOrderBy('d.name')
      .take(500);
    if (!s.platform) {
      qb.where(
        new Brackets((w) => {
          w.where('d.id IN (:...deps)', { deps: [0, ...s.memberDepartments] })
            .orWhere('o.id IN (:...orgs)', { orgs: [0, ...s.raoOrganisations] })
            .orWhere('o.nren_id IN (:...nrens)', { nrens: [0, ...s.nrens] });
        }),
      );
    }
    return qb.getMany();
  }

  // Checks again and, if nothing is wrong, records the request for the RAO's approval.
  // `replaces`: a renewal or replacement of a certificate, superseded once this one is issued.
  async submit(
    p: Principal,
    draft: RequestDraft,
    actor: Actor,
    lang: Language,
    replaces?: { certificateId: number; how: 'renew' | 'replace' },
  ): Promise<CertificateRequest> {
    const e = await this.evaluation.evaluate(p, draft, lang);
    if (!e.result.ok || !e.verdict || !e.csr || !e.product) {
      throw new RequestRefused(e.result);
    }
    const accepted: Accepted = { ...e, verdict: e.verdict, csr: e.csr, product: e.product };
    try {
      return await this.record(
        p,
        draft,
        accepted,
        this.submissionKeyOf(draft),
        actor,
        lang,
        replaces,
      );
    } catch (err) {
      // Both presses of a double submission passed the check; the unique key let one in.
      const first = isUniqueViolation(err) ? await this.submittedWithKey(p, draft) : null;
      if (first) {
        return first;
      }
      throw err;
    }
  }

  private submissionKeyOf(draft: RequestDraft): string | null {
    const key = draft.submissionKey;
    return typeof key === 'string' && SUBMISSION_KEY.test(key) ? key : null;
  }

  // The request this person already submitted with the form's one-time key, if any.
  async submittedWithKey(p: Principal, draft: RequestDraft): Promise<CertificateRequest | null> {
    const submissionKey = this.submissionKeyOf(draft);
    return submissionKey
      ? this.tx.manager.findOneBy(CertificateRequest, { submissionKey, requesterId: p.userId })
      : null;
  }

  private record(
    p: Principal,
    draft: RequestDraft,
    e: Accepted,
    submissionKey: string | null,
    actor: Actor,
    lang: Language,
    replaces?: { certificateId: number; how: 'renew' | 'replace' },
  ): Promise<CertificateRequest> {
    const { verdict, csr, product, department } = e;
    return this.tx.runRetrying(async (em) => {
      const errors = await this.evaluation.recheckKey(em, e, lang);
      if (errors.length) {
        throw new RequestRefused({ ...e.result, ok: false, errors });
      }
      const now = this.clock.now();
      const request = await em.save(
        em.create(CertificateRequest, {
          organisationId: department.organisationId,
          departmentId: department.id,
          productId: product.id,
          requesterId: p.userId,
          submissionKey,
          status: INITIAL_STATUS,
          statusChangedAt: now,
          replacesCertificateId: replaces?.certificateId ?? null,
          replacesHow: replaces?.how ?? null,
          csrPem: pemOf(csr.der),
          csrSha256: verdict.summary.csrSha256,
          spkiSha256: verdict.summary.spkiSha256,
          subject: verdict.summary.subject.slice(0, 1000),
          names: verdict.names,
          keyType: verdict.summary.keyType,
          keyBits: verdict.summary.keyBits,
          signatureAlgorithm: verdict.summary.signatureAlgorithm,
          validityDays: verdict.validityDays,
          comment: e.comment,
          warnings: verdict.warnings.map(({ code, field, name, params }) => ({
            code,
            field,
            name,
            params,
          })),
          keyProtection: product.kind === 'code-signing' ? (e.keyProtection ?? null) : null,
          evidenceName: draft.evidence ? draft.evidence.name.slice(0, 200) : null,
          evidenceSha256: draft.evidence
            ? createHash('sha256').update(draft.evidence.data).digest('hex')
            : null,
          evidenceData: draft.evidence ? Buffer.from(draft.evidence.data).toString('base64') : null,
        }),
      );
      await this.audit.record(em, actor, {
        action: 'request.submitted',
        subjectType: 'request',
        subjectId: request.id,
        detail: {
          product: product.code,
          names: verdict.names,
          departmentId: department.id,
          ...(replaces ? { replaces: replaces.certificateId, how: replaces.how } : {}),
        },
      });
      if (
        await this.qualifiesForAutomaticApproval(em, request, department, product.approvalsRequired)
      ) {
        await this.lifecycle.transition(systemActing('automatic-approval'), request.id, 'approve', {
          em,
          detail: { policy: 'automatic-approval', departmentId: department.id },
        });
      }
      return request;
    });
  }

  // Requests waiting for this person's decision: undecided, in the scope they decide for (with
  // the scopes of those they stand in for), not their own unless the organisation allows it,
  // and not already approved by them (N-of-M).
  private async awaiting(qb: SelectQueryBuilder<CertificateRequest>, p: Principal) {
    const s = scopeOf({ ...p, grants: await this.lifecycle.decidingGrants(p) });
    qb.where('r.status = :waiting', { waiting: INITIAL_STATUS });
    if (!s.platform) {
      qb.andWhere(
        new Brackets((w) => {
          w.where('r.organisation_id IN (:...aorgs)', { aorgs: [0, ...s.raoOrganisations] })
            .orWhere('r.department_id IN (:...adeps)', { adeps: [0, ...s.draoDepartments] })
            .orWhere('o.nren_id IN (:...anrens)', { anrens: [0, ...s.nrens] });
        }),
      );
    }
    qb.andWhere(
      new Brackets((w) => {
        w.where('r.requester_id <> :me', { me: p.userId }).orWhere('o.self_approval_allowed = 1');
      }),
    ).andWhere(
      `NOT EXISTS (SELECT 1 FROM request_approvals ra WHERE ra.request_id = r.id AND ra.person_id = :me)`,
    );
  }

  // What an approver weighs besides the CSR: who asked, and under which of the organisation's
  // domains each name falls, with that domain's validation state now.
  async particulars(r: CertificateRequest): Promise<RequestParticulars> {
    const requester = await this.tx.manager.findOneBy(User, { id: r.requesterId });
    const domains = await this.tx.manager.find(Domain, {
      where: { organisationId: r.organisationId },
      take: 5000,
    });
    const now = this.clock.now().getTime();
    return {
      requester: requester
        ? { name: requester.displayName, email: requester.email }
        : { name: '', email: '' },
      names: r.names.map((raw) => {
        const name = raw.toLowerCase().replace(/^\*\./, '');
        const domain = domains
          .filter((d) => name === d.name || name.endsWith(`.${d.name}`))
          .sort((a, b) => b.name.length - a.name.length)[0];
        const lapsed =
          domain?.validationExpiresAt !== null &&
          domain?.validationExpiresAt !== undefined &&
          domain.validationExpiresAt.getTime() <= now;
        return {
          name: raw,
          domain: domain?.name ?? null,
          state: !domain ? 'none' : lapsed ? 'expired' : domain.state,
          validUntil: domain?.validationExpiresAt ?? null,
        };
      }),
    };
  }

  async get(p: Principal, id: number): Promise<RequestWithPlace> {
    const r = await this.tx.manager.findOne(CertificateRequest, {
      where: { id },
      relations: { product: true, department: true },
    });
    if (!r) {
      throw new NotFound('request');
    }
    const organisation = await this.tx.manager.findOneByOrFail(Organisation, {
      id: r.organisationId,
    });
    const place = placeOfRequest({ ...r, organisation });
    // A substitute sees the requests they may decide on, for as long as the appointment runs.
    if (
      !can(p, 'request.view', place) &&
      !(await this.lifecycle.substituteFor(this.tx.manager, p, 'request.approve', place))
    ) {
      throw new NotFound('request');
    }
    return Object.assign(r, { organisation });
  }

  async list(
    p: Principal,
    req: PageRequest,
    filter: RequestFilter = {},
  ): Promise<Page<RequestWithPlace>> {
    const s = scopeOf(p);
    const qb = this.tx.manager
      .createQueryBuilder(CertificateRequest, 'r')
      .leftJoinAndSelect('r.product', 'product')
      .leftJoinAndSelect('r.department', 'department')
      .innerJoinAndMapOne('r.organisation', Organisation, 'o', 'o.id = r.organisation_id')
      .orderBy('r.id', filter.awaitingMe ? 'ASC' : 'DESC');
    if (filter.awaitingMe) {
      await this.awaiting(qb, p);
    } else if (!s.platform) {
      qb.where(
        new Brackets((w) => {
          w.where('r.department_id IN (:...deps)', { deps: [0, ...s.memberDepartments] })
            .orWhere('r.organisation_id IN (:...orgs)', { orgs: [0, ...s.raoOrganisations] })
            .orWhere('o.nren_id IN (:...nrens)', { nrens: [0, ...s.nrens] });
        }),
      );
    }
    if (filter.departmentId) {
      qb.andWhere('r.department_id = :d', { d: filter.departmentId });
    }
    if (filter.organisationId) {
      qb.andWhere('r.organisation_id = :o', { o: filter.organisationId });
    }
    if (filter.status) {
      qb.andWhere('r.status = :st', { st: filter.status });
    }
    if (filter.product) {
      qb.andWhere('product.code = :pc', { pc: filter.product });
    }
    if (filter.productId) {
      qb.andWhere('r.product_id = :pr', { pr: filter.productId });
    }
    if (filter.olderThanDays) {
      const before = new Date(this.clock.now().getTime() - filter.olderThanDays * 86_400_000);
      qb.andWhere('r.status_changed_at <= :before', { before });
    }
    if (req.q) {
      // A name in the request: its subject or any of its names (stored as JSON text).
      qb.andWhere(
        new Brackets((w) => {
          w.where(likeMatch('r.subject'), { q: likePattern(req.q) }).orWhere(likeMatch('r.names'), {
            q: likePattern(req.q),
          });
        }),
      );
    }
    const [items, total] = await qb
      .skip((req.page - 1) * req.size)
      .take(req.size)
      .getManyAndCount();
    return toPage(items as RequestWithPlace[], total, req);
  }
}
