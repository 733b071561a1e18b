import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Brackets, EntityManager } from 'typeorm';
import { z } from 'zod';
import { can, scopeOf } from '../access/access.js';
import type { Principal } from '../accounts/principal.js';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainError, NotFound, StaleObject, ValidationFailed } from '../common/errors.js';
import { field, parseInput } from '../common/input.js';
import { toPage, type Page, type PageRequest } from '../common/paging.js';
import { parseCsr, MAX_CSR_BYTES, type ParsedCsr } from '../csr/csr-parser.js';
import {
  evaluateCsr,
  type CsrSummary,
  type HardwareProtectionMethod,
  type Verdict,
} from '../csr/csr-policy.js';
import { CsrParseError } from '../csr/csr.errors.js';
import { Transactions } from '../database/transactions.js';
import { DomainDelegation } from '../domains/domain-delegation.entity.js';
import { Domain } from '../domains/domain.entity.js';
import { I18nService } from '../i18n/i18n.service.js';
import type { Language } from '../i18n/languages.js';
import { KeysService } from '../keys/keys.service.js';
import { Nren } from '../nrens/nren.entity.js';
import { Department } from '../organisations/department.entity.js';
import { Organisation } from '../organisations/organisation.entity.js';
import type { Product } from '../products/product.entity.js';
import { maxTerm, ProductsService } from '../products/products.service.js';
import { CertificateRequest } from './certificate-request.entity.js';
import { canMove, type RequestStatus } from './request-status.js';

export const MAX_EVIDENCE_BYTES = 32 * 1024;
const KEY_PROTECTION = ['key-attestation', 'ca-token', 'audit'] as const;

// What a requester sends, from the form or the API. The CSR is PEM text or DER bytes; the
// evidence of hardware key protection is a file (code signing only).
export interface RequestDraft {
  departmentId: unknown;
  product: unknown;
  csr: string | Uint8Array | undefined;
  validityDays?: unknown;
  extraNames?: unknown;
  comment?: unknown;
  keyProtection?: unknown;
  evidence?: { name: string; data: Uint8Array } | null;
}

const draftInput = z.object({
  departmentId: field.id(),
  product: z.string({ error: 'required' }).trim().min(1, 'required'),
  validityDays: z.preprocess(
    (v) => (v === '' || v === undefined || v === null ? undefined : v),
    z.coerce.number({ error: 'invalid' }).optional(),
  ),
  extraNames: z.preprocess(
    (v) => (typeof v === 'string' ? v.split(/[\s,;]+/).filter(Boolean) : (v ?? [])),
    z.array(z.string().trim().max(253, 'too_long'), { error: 'invalid' }).max(100, 'too_many'),
  ),
  comment: field.optionalMultilineText(2000),
  keyProtection: z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.enum(KEY_PROTECTION, { error: 'invalid' }).optional(),
  ),
});

export interface CheckMessage {
  code: string;
  field: string;
  name?: string;
  message: string;
}

export interface CheckResult {
  ok: boolean;
  errors: CheckMessage[];
  warnings: CheckMessage[];
  parsed:
    | (CsrSummary & {
        validityDays: number;
        product: string;
        department: string;
        organisation: string;
      })
    | null;
}

interface Evaluated {
  result: CheckResult;
  verdict: Verdict | null;
  csr: ParsedCsr | null;
  department: Department & { organisation: Organisation };
  product: Product | null;
  comment: string;
  keyProtection: HardwareProtectionMethod | undefined;
}

export class RequestRefused extends DomainError {
  constructor(readonly result: CheckResult) {
    super('invalid', 'request_refused');
  }
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

@Injectable()
export class RequestsService {
  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly keys: KeysService,
    private readonly products: ProductsService,
    private readonly i18n: I18nService,
  ) {}

  private async department(p: Principal, id: number, em: EntityManager = this.tx.manager) {
    const d = await em.findOne(Department, { where: { id }, relations: { organisation: true } });
    if (
      !d ||
      !can(p, 'request.create', {
        nrenId: d.organisation.nrenId,
        organisationId: d.organisationId,
        departmentId: d.id,
      })
    ) {
      throw new ValidationFailed([{ field: 'departmentId', code: 'invalid' }]);
    }
    return d;
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

  private message(
    lang: Language,
    code: string,
    field: string,
    params: Record<string, string | number>,
    name?: string,
  ): CheckMessage {
    const key = /^[A-Z_0-9]+$/.test(code) ? `csr.findings.${code}` : `errors.${code}`;
    return { code, field, ...(name ? { name } : {}), message: this.i18n.t(lang, key, params) };
  }

  // Runs every rule and says what is wrong, in the reader's language; saves nothing.
  async check(p: Principal, draft: RequestDraft, lang: Language): Promise<CheckResult> {
    return (await this.evaluate(p, draft, lang)).result;
  }

  private async evaluate(p: Principal, draft: RequestDraft, lang: Language): Promise<Evaluated> {
    const data = parseInput(draftInput, draft);
    const department = await this.department(p, data.departmentId);
    const organisation = department.organisation;
    const errors: CheckMessage[] = [];
    const product = await this.products.byCode(data.product.toUpperCase());
    if (!product) {
      errors.push(this.message(lang, 'product_unknown', 'product', {}));
    } else if (!organisation.allowedProducts.includes(product.code)) {
      errors.push(this.message(lang, 'product_not_allowed', 'product', { product: product.name }));
    }
    if (draft.evidence && draft.evidence.data.length > MAX_EVIDENCE_BYTES) {
      errors.push(
        this.message(lang, 'evidence_too_large', 'evidence', { max: MAX_EVIDENCE_BYTES / 1024 }),
      );
    }
    let csr: ParsedCsr | null = null;
    try {
      const raw = draft.csr ?? '';
      if (raw.length > MAX_CSR_BYTES) {
        throw new CsrParseError('CSR_TOO_LARGE', { max: MAX_CSR_BYTES / 1024 });
      }
      csr = parseCsr(raw);
    } catch (err) {
      if (!(err instanceof CsrParseError)) {
        throw err;
      }
      errors.push(this.message(lang, err.code, 'csr', err.params));
    }
    const base = { department, product, comment: data.comment, keyProtection: data.keyProtection };
    if (!csr || !product) {
      return {
        ...base,
        csr,
        verdict: null,
        result: { ok: false, errors, warnings: [], parsed: null },
      };
    }
    const nren = await this.tx.manager.findOneByOrFail(Nren, { id: organisation.nrenId });
    const verdict = evaluateCsr(csr, {
      now: this.clock.now(),
      product: {
        code: product.code,
        kind: product.kind,
        maxNames: product.maxNames,
        wildcardsAllowed: product.wildcardsAllowed,
        maxValidityDays: maxTerm(product),
      },
      requestedValidityDays: data.validityDays,
      extraNames: data.extraNames,
      domains: await this.domainsOf(organisation.id, department.id),
      debianWeak: this.keys.isDebianWeak,
      keyHistory: await this.keys.history(csr.publicKey.spkiSha256, organisation.id),
      codeSigning:
        product.kind === 'code-signing'
          ? {
              hardwareMethod: data.keyProtection,
              evidenceRequired: nren.codeSigningEvidenceRequired,
              hasEvidence: Boolean(draft.evidence?.data.length),
            }
          : undefined,
    });
    errors.push(
      ...verdict.errors.map((f) => this.message(lang, f.code, f.field, f.params, f.name)),
    );
    return {
      ...base,
      csr,
      verdict,
      result: {
        ok: errors.length === 0,
        errors,
        warnings: verdict.warnings.map((f) =>
          this.message(lang, f.code, f.field, f.params, f.name),
        ),
        parsed: {
          ...verdict.summary,
          names: verdict.names,
          validityDays: verdict.validityDays,
          product: product.name,
          department: department.name,
          organisation: organisation.name,
        },
      },
    };
  }

  private async domainsOf(organisationId: number, departmentId: number) {
    const domains = await this.tx.manager.find(Domain, { where: { organisationId }, take: 5000 });
    const delegated = new Set(
      (await this.tx.manager.findBy(DomainDelegation, { departmentId })).map((d) => d.domainId),
    );
    return domains.map((d) => ({
      name: d.name,
      validated: d.state === 'validated',
      validationExpiresAt: d.validationExpiresAt,
      delegatedToDepartment: delegated.has(d.id),
      wildcardsAllowed: d.wildcardsAllowed,
    }));
  }

  // Checks again and, if nothing is wrong, records the request for the RAO's approval.
  async submit(
    p: Principal,
    draft: RequestDraft,
    actor: Actor,
    lang: Language,
  ): Promise<CertificateRequest> {
    const e = await this.evaluate(p, draft, lang);
    if (!e.result.ok || !e.verdict || !e.csr || !e.product) {
      throw new RequestRefused(e.result);
    }
    const { verdict, csr, product, department } = e;
    return this.tx.run(async (em) => {
      const now = this.clock.now();
      const request = await em.save(
        em.create(CertificateRequest, {
          organisationId: department.organisationId,
          departmentId: department.id,
          productId: product.id,
          requesterId: p.userId,
          status: 'submitted',
          statusChangedAt: now,
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
        detail: { product: product.code, names: verdict.names, departmentId: department.id },
      });
      return request;
    });
  }

  private visible(
    p: Principal,
    r: { organisationId: number; departmentId: number },
    nrenId: number,
  ): boolean {
    return can(p, 'request.view', {
      nrenId,
      organisationId: r.organisationId,
      departmentId: r.departmentId,
    });
  }

  async get(
    p: Principal,
    id: number,
  ): Promise<CertificateRequest & { organisation: Organisation }> {
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
    if (!this.visible(p, r, organisation.nrenId)) {
      throw new NotFound('request');
    }
    return Object.assign(r, { organisation });
  }

  async list(
    p: Principal,
    req: PageRequest,
    filter: { departmentId?: number; organisationId?: number; status?: RequestStatus } = {},
  ): Promise<Page<CertificateRequest>> {
    const s = scopeOf(p);
    const qb = this.tx.manager
      .createQueryBuilder(CertificateRequest, 'r')
      .leftJoinAndSelect('r.product', 'product')
      .leftJoinAndSelect('r.department', 'department')
      .innerJoin(Organisation, 'o', 'o.id = r.organisation_id')
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
    return toPage(items, total, req);
  }

  // The one way a request changes state: checks the transition table, bumps the version
  // (optimistic lock) and writes the audit row in the same transaction.
  async transition(
    em: EntityManager,
    request: CertificateRequest,
    to: RequestStatus,
    expectedVersion: number,
    actor: Actor,
    detail: Record<string, unknown> = {},
  ): Promise<CertificateRequest> {
    if (!canMove(request.status, to)) {
      throw new ValidationFailed([
        { field: 'status', code: 'transition_not_allowed', params: { from: request.status, to } },
      ]);
    }
    const result = await em
      .createQueryBuilder()
      .update(CertificateRequest)
      .set({ status: to, statusChangedAt: this.clock.now() })
      .where('id = :id AND version = :version', { id: request.id, version: expectedVersion })
      .execute();
    if (!result.affected) {
      throw new StaleObject();
    }
    await this.audit.record(em, actor, {
      action: `request.${to}`,
      subjectType: 'request',
      subjectId: request.id,
      detail: { from: request.status, ...detail },
    });
    return em.findOneByOrFail(CertificateRequest, { id: request.id });
  }

  // The requester (or anyone who may approve in that department) withdraws a request.
  async cancel(
    p: Principal,
    id: number,
    input: unknown,
    actor: Actor,
  ): Promise<CertificateRequest> {
    const { version } = parseInput(z.object({ version: field.version() }), input);
    const r = await this.get(p, id);
    const mayCancel =
      r.requesterId === p.userId ||
      can(p, 'department.edit', {
        nrenId: r.organisation.nrenId,
        organisationId: r.organisationId,
        departmentId: r.departmentId,
      }) ||
      scopeOf(p).draoDepartments.has(r.departmentId);
    if (!mayCancel) {
      throw new NotFound('request');
    }
    return this.tx.run((em) => this.transition(em, r, 'cancelled', version, actor));
  }
}
