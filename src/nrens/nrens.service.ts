import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { z } from 'zod';
import { can, scopeOf } from '../access/access.js';
import type { Principal } from '../accounts/principal.js';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { NotFound, StaleObject, ValidationFailed } from '../common/errors.js';
import { field, parseInput } from '../common/input.js';
import { likeMatch, likePattern, toPage, type Page, type PageRequest } from '../common/paging.js';
import { SecretBox } from '../common/secret-box.js';
import { Transactions } from '../database/transactions.js';
import { LANGUAGES } from '../i18n/languages.js';
import { Nren } from './nren.entity.js';

// "OV_SSL=1234" lines (the form) or an object (the API).
const productIds = z.preprocess(
  (v) => {
    if (typeof v !== 'string') {
      return v ?? {};
    }
    const entries = v
      .split(/[\n,;]+/)
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => line.split('=').map((s) => s.trim()));
    return Object.fromEntries(
      entries.map(([k, id]) => [k, /^\d+$/.test(id ?? '') ? Number(id) : id]),
    );
  },
  z.record(
    z.string().regex(/^[A-Z0-9_-]{1,32}$/, 'product_code_invalid'),
    z.number({ error: 'product_id_invalid' }).int().positive('product_id_invalid'),
  ),
);

export const nrenInput = z.object({
  name: field.text(200),
  country: field.country(),
  contactEmail: field.email(),
  defaultLanguage: z.enum(LANGUAGES, { error: 'language_unknown' }),
  caLoginName: field.optionalText(100),
  // Blank keeps the stored password.
  caPassword: field.optionalText(200),
  caCustomerId: field.optionalText(64),
  caProductIds: productIds,
  codeSigningEvidenceRequired: field.flag(),
});

export type NrenView = Omit<Nren, 'caPasswordEnc'> & { caPasswordSet: boolean };

export function nrenView(n: Nren): NrenView {
  const { caPasswordEnc, ...rest } = n;
  return { ...rest, caPasswordSet: caPasswordEnc !== null };
}

@Injectable()
export class NrensService {
  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly secrets: SecretBox,
  ) {}

  async list(p: Principal, req: PageRequest): Promise<Page<Nren>> {
    const s = scopeOf(p);
    const qb = this.tx.manager.createQueryBuilder(Nren, 'n').orderBy('n.name', 'ASC');
    if (!s.platform) {
      qb.where('n.id IN (:...ids)', { ids: [0, ...s.nrens] });
    }
    if (req.q) {
      qb.andWhere(likeMatch('n.name'), { q: likePattern(req.q) });
    }
    const [items, total] = await qb
      .skip((req.page - 1) * req.size)
      .take(req.size)
      .getManyAndCount();
    return toPage(items, total, req);
  }

  // Every NREN the person may act in, for choosers on forms (small: one per country).
  listForChooser(p: Principal): Promise<Nren[]> {
    const s = scopeOf(p);
    return this.tx.manager.find(Nren, {
      where: s.platform ? {} : { id: In([0, ...s.nrens]) },
      order: { name: 'ASC' },
      take: 500,
    });
  }

  async get(
    p: Principal,
    id: number,
    action: 'nren.view' | 'nren.edit' = 'nren.view',
  ): Promise<Nren> {
    const nren = await this.tx.manager.findOneBy(Nren, { id });
    if (!nren || !can(p, action, { nrenId: nren.id })) {
      throw new NotFound('nren');
    }
    return nren;
  }

  async create(p: Principal, input: unknown, actor: Actor): Promise<Nren> {
    if (!can(p, 'nren.create', { nrenId: 0 })) {
      throw new NotFound('nren');
    }
    const data = parseInput(nrenInput, input);
    return this.tx.run(async (em) => {
      await this.assertNameFree(em, data.name);
      const nren = await em.save(
        em.create(Nren, {
          name: data.name,
          country: data.country,
          contactEmail: data.contactEmail,
          defaultLanguage: data.defaultLanguage,
          caLoginName: data.caLoginName || null,
          caPasswordEnc: data.caPassword ? this.secrets.seal(data.caPassword) : null,
          caCustomerId: data.caCustomerId || null,
          caProductIds: data.caProductIds,
          codeSigningEvidenceRequired: data.codeSigningEvidenceRequired,
        }),
      );
      await this.audit.record(em, actor, {
        action: 'nren.created',
        subjectType: 'nren',
        subjectId: nren.id,
        detail: { name: nren.name },
      });
      return nren;
    });
  }

  async update(p: Principal, id: number, input: unknown, actor: Actor): Promise<Nren> {
    const data = parseInput(nrenInput.extend({ version: field.version() }), input);
    return this.tx.run(async (em) => {
      const nren = await em.findOne(Nren, { where: { id }, lock: this.tx.forUpdate });
      if (!nren || !can(p, 'nren.edit', { nrenId: id })) {
        throw new NotFound('nren');
      }
      if (nren.version !== data.version) {
        throw new StaleObject();
      }
      if (data.name !== nren.name) {
        await this.assertNameFree(em, data.name);
      }
      const changed = Object.keys(data).filter(
        (k) =>
          k !== 'version' &&
          k !== 'caPassword' &&
          JSON.stringify(data[k as keyof typeof data]) !== JSON.stringify(nren[k as keyof Nren]),
      );
      Object.assign(nren, {
        name: data.name,
        country: data.country,
        contactEmail: data.contactEmail,
        defaultLanguage: data.defaultLanguage,
        caLoginName: data.caLoginName || null,
        caCustomerId: data.caCustomerId || null,
        caProductIds: data.caProductIds,
        codeSigningEvidenceRequired: data.codeSigningEvidenceRequired,
      });
      if (data.caPassword) {
        nren.caPasswordEnc = this.secrets.seal(data.caPassword);
        changed.push('caPassword');
      }
      const saved = await em.save(nren);
      await this.audit.record(em, actor, {
        action: 'nren.updated',
        subjectType: 'nren',
        subjectId: id,
        detail: { changed },
      });
      return saved;
    });
  }

  private async assertNameFree(em: Transactions['manager'], name: string): Promise<void> {
    if (await em.existsBy(Nren, { name })) {
      throw new ValidationFailed([{ field: 'name', code: 'name_taken' }]);
    }
  }
}
