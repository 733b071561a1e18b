import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { can } from '../access/access.js';
import type { Principal } from '../accounts/principal.js';
import { Clock } from '../common/clock.js';
import { ValidationFailed } from '../common/errors.js';
import { parseInput } from '../common/input.js';
import { MAX_CSR_BYTES, parseCsr, type ParsedCsr } from '../csr/csr-parser.js';
import {
  evaluateCsr,
  type CsrSummary,
  type HardwareProtectionMethod,
  type KeyHistory,
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
import type { Organisation } from '../organisations/organisation.entity.js';
import { identityStatusAt } from '../organisations/organisations.service.js';
import type { Product } from '../products/product.entity.js';
import { maxTerm, ProductsService } from '../products/products.service.js';
import { CertificateRequest } from './certificate-request.entity.js';
import { LIVE_STATUSES } from './request-status.js';
import { draftInput } from './requests.input.js';

export const MAX_EVIDENCE_BYTES = 32 * 1024;

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
  // One-time key of the form that submits it: a second submission of the same form (Back,
  // then Submit again) finds the first request instead of making another.
  submissionKey?: unknown;
}

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

export interface Evaluation {
  result: CheckResult;
  verdict: Verdict | null;
  csr: ParsedCsr | null;
  department: Department & { organisation: Organisation };
  product: Product | null;
  comment: string;
  keyProtection: HardwareProtectionMethod | undefined;
}

// Feeds the pure policy engine (src/csr) with what it needs from the database (the
// organisation's domains and their delegation, the product, the day, what is known about the
// key) and words its findings in the reader's language. Saves nothing.
@Injectable()
export class CsrEvaluationService {
  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly keys: KeysService,
    private readonly products: ProductsService,
    private readonly i18n: I18nService,
  ) {}

  // A department the person may request for, or a field problem as if it did not exist.
  private async department(p: Principal, id: number) {
    const d = await this.tx.manager.findOne(Department, {
      where: { id },
      relations: { organisation: true },
    });
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

  // Runs every rule and says what is wrong, in the reader's language.
  async check(p: Principal, draft: RequestDraft, lang: Language): Promise<CheckResult> {
    return (await this.evaluate(p, draft, lang)).result;
  }

  async evaluate(p: Principal, draft: RequestDraft, lang: Language): Promise<Evaluation> {
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
    // Every TCS product (OV, EV, IGTF, code signing) names the organisation, so the CA
    // issues none without a current validation of its identity.
    if (product && !identityStatusAt(organisation, this.clock.now()).current) {
      const nren = await this.tx.manager.findOneByOrFail(Nren, { id: organisation.nrenId });
      errors.push(
        this.message(lang, 'organisation_identity_not_current', 'product', {
          organisation: organisation.name,
          nren: nren.name,
          contact: nren.contactEmail,
        }),
      );
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
      keyHistory: await this.keyHistory(csr.publicKey.spkiSha256, organisation.id),
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

  // The key checks guard the write that records a request, so submit() runs them again in
  // its transaction (em; the key's uses are read locked on MySQL): another organisation may
  // have submitted the key, or it was blocked, since the evaluation. Errors, or none.
  async recheckKey(
    em: EntityManager,
    evaluation: Evaluation,
    lang: Language,
  ): Promise<CheckMessage[]> {
    if (!evaluation.csr) {
      return [];
    }
    const organisationId = evaluation.department.organisationId;
    const keys = await this.keyHistory(evaluation.csr.publicKey.spkiSha256, organisationId, em);
    const codes = [
      ...(keys.compromised ? ['KEY_COMPROMISED'] : []),
      ...(keys.usedByOtherOrganisation ? ['KEY_USED_BY_OTHER_ORGANISATION'] : []),
    ];
    return codes.map((code) => this.message(lang, code, 'csr', {}));
  }

  // What is known about a key: blocked, and which organisations' live requests use it. Given
  // the transaction that records a request, the uses are read locked (on MySQL), so two
  // organisations submitting one key at once cannot both pass.
  private async keyHistory(
    spkiSha256: string,
    organisationId: number,
    em: EntityManager = this.tx.manager,
  ): Promise<KeyHistory> {
    const compromised = await this.keys.isBlocked(spkiSha256, em);
    const uses = await em.find(CertificateRequest, {
      select: { organisationId: true },
      where: { spkiSha256, status: In([...LIVE_STATUSES]) },
      take: 50,
      lock: em === this.tx.manager ? undefined : this.tx.forUpdate,
    });
    return {
      compromised,
      usedByOtherOrganisation: uses.some((u) => u.organisationId !== organisationId),
      usedInSameOrganisation: uses.some((u) => u.organisationId === organisationId),
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
}
