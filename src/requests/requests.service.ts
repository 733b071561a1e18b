import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Brackets } from 'typeorm';
import { can, scopeOf } from '../access/access.js';
import type { Principal } from '../accounts/principal.js';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { NotFound } from '../common/errors.js';
import { toPage, type Page, type PageRequest } from '../common/paging.js';
import { Transactions } from '../database/transactions.js';
import type { Language } from '../i18n/languages.js';
import { Department } from '../organisations/department.entity.js';
import { Organisation } from '../organisations/organisation.entity.js';
import { CertificateRequest } from './certificate-request.entity.js';
import { CsrEvaluationService, type RequestDraft } from './csr-evaluation.service.js';
import { INITIAL_STATUS, placeOfRequest, type RequestWithPlace } from './request-lifecycle.js';
import type { RequestStatus } from './request-status.js';
import { RequestRefused } from './requests.errors.js';

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

// Creating and finding requests. What happens to a request afterwards is the lifecycle's
// (request-lifecycle.ts); what a CSR is worth is the evaluation's (csr-evaluation.service.ts).
@Injectable()
export class RequestsService {
  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly evaluation: CsrEvaluationService,
  ) {}

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
      return request;
    });
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
    if (!can(p, 'request.view', placeOfRequest({ ...r, organisation }))) {
      throw new NotFound('request');
    }
    return Object.assign(r, { organisation });
  }

  async list(
    p: Principal,
    req: PageRequest,
    filter: { departmentId?: number; organisationId?: number; status?: RequestStatus } = {},
  ): Promise<Page<RequestWithPlace>> {
    const s = scopeOf(p);
    const qb = this.tx.manager
      .createQueryBuilder(CertificateRequest, 'r')
      .leftJoinAndSelect('r.product', 'product')
      .leftJoinAndSelect('r.department', 'department')
      .innerJoinAndMapOne('r.organisation', Organisation, 'o', 'o.id = r.organisation_id')
      .orderBy('r.id', 'DESC');
    if (!s.platform) {
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
    const [items, total] = await qb
      .skip((req.page - 1) * req.size)
      .take(req.size)
      .getManyAndCount();
    return toPage(items as RequestWithPlace[], total, req);
  }
}
