import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { can, scopeOf } from '../access/access.js';
import { placeOfNren } from '../access/places.js';
import type { Principal } from '../accounts/principal.js';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { NotFound, StaleObject, ValidationFailed } from '../common/errors.js';
import { editedInput, parseInput, type EditMode } from '../common/input.js';
import { pagedQuery, type Page, type PageRequest } from '../common/paging.js';
import { SecretBox } from '../common/secret-box.js';
import { Transactions } from '../database/transactions.js';
import { Nren } from './nren.entity.js';
import { nrenInput, nrenUpdateInput } from './nrens.input.js';

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

  list(p: Principal, req: PageRequest): Promise<Page<Nren>> {
    const s = scopeOf(p);
    return pagedQuery(this.tx.manager.createQueryBuilder(Nren, 'n').orderBy('n.name', 'ASC'), req, {
      within: s.platform ? null : [['n.id', s.nrens]],
      search: 'n.name',
    });
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
    if (!nren || !can(p, action, placeOfNren(nren))) {
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

  async update(
    p: Principal,
    id: number,
    input: unknown,
    actor: Actor,
    mode: EditMode = 'replace',
  ): Promise<Nren> {
    return this.tx.run(async (em) => {
      const nren = await em.findOne(Nren, { where: { id }, lock: this.tx.forUpdate });
      if (!nren || !can(p, 'nren.edit', placeOfNren(nren))) {
        throw new NotFound('nren');
      }
      // A blank password keeps the stored one, so a merge never carries it over.
      const data = parseInput(
        nrenUpdateInput,
        editedInput(mode, input, { ...nren, caPassword: '' }),
      );
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
