import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { canEditProducts } from '../access/access.js';
import type { Principal } from '../accounts/principal.js';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { NotFound, StaleObject, ValidationFailed } from '../common/errors.js';
import { field, parseInput } from '../common/input.js';
import { Transactions } from '../database/transactions.js';
import { Product, PRODUCT_KINDS } from './product.entity.js';

const productFields = {
  name: field.text(100),
  kind: z.enum(PRODUCT_KINDS, { error: 'invalid' }),
  caProductId: z.preprocess(
    (v) => (v === '' || v === null || v === undefined ? null : v),
    z.coerce
      .number({ error: 'product_id_invalid' })
      .int('product_id_invalid')
      .positive('product_id_invalid')
      .nullable(),
  ),
  maxNames: z.coerce
    .number({ error: 'invalid' })
    .int('invalid')
    .min(1, 'invalid')
    .max(1000, 'invalid'),
  wildcardsAllowed: field.flag(),
  // Left out, a product needs one approval.
  approvalsRequired: z.preprocess(
    (v) => (v === '' || v === null || v === undefined ? 1 : v),
    z.coerce.number({ error: 'invalid' }).int('invalid').min(1, 'invalid').max(5, 'invalid'),
  ),
  validityTerms: z.preprocess(
    (v) => (typeof v === 'string' ? v.split(/[\s,;]+/).filter(Boolean) : v),
    z
      .array(
        z.coerce
          .number({ error: 'validity_term_invalid' })
          .int('validity_term_invalid')
          .min(1, 'validity_term_invalid')
          .max(1186, 'validity_term_invalid'),
        { error: 'required' },
      )
      .min(1, 'required')
      .max(10, 'too_many'),
  ),
  active: field.flag(),
};

export const productCreateInput = z.object({
  code: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toUpperCase() : v),
    z.string({ error: 'required' }).regex(/^[A-Z0-9_-]{1,32}$/, 'product_code_invalid'),
  ),
  ...productFields,
});
export const productUpdateInput = z.object({ ...productFields, version: field.version() });

export function maxTerm(p: Product): number {
  return Math.max(...p.validityTerms);
}

@Injectable()
export class ProductsService {
  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
  ) {}

  // The catalogue is small (tens of products); it is listed whole.
  list(activeOnly = false): Promise<Product[]> {
    return this.tx.manager.find(Product, {
      where: activeOnly ? { active: true } : {},
      order: { kind: 'DESC', id: 'ASC' },
      take: 500,
    });
  }

  async byCode(code: string): Promise<Product | null> {
    return this.tx.manager.findOneBy(Product, { code, active: true });
  }

  async get(id: number): Promise<Product> {
    const p = await this.tx.manager.findOneBy(Product, { id });
    if (!p) {
      throw new NotFound('product');
    }
    return p;
  }

  async create(principal: Principal, input: unknown, actor: Actor): Promise<Product> {
    if (!canEditProducts(principal)) {
      throw new NotFound('product');
    }
    const data = parseInput(productCreateInput, input);
    return this.tx.run(async (em) => {
      if (await em.existsBy(Product, { code: data.code })) {
        throw new ValidationFailed([{ field: 'code', code: 'name_taken' }]);
      }
      const product = await em.save(em.create(Product, data));
      await this.audit.record(em, actor, {
        action: 'product.created',
        subjectType: 'product',
        subjectId: product.id,
        detail: { ...data },
      });
      return product;
    });
  }

  async update(principal: Principal, id: number, input: unknown, actor: Actor): Promise<Product> {
    if (!canEditProducts(principal)) {
      throw new NotFound('product');
    }
    const data = parseInput(productUpdateInput, input);
    return this.tx.run(async (em) => {
      const product = await em.findOne(Product, { where: { id }, lock: this.tx.forUpdate });
      if (!product) {
        throw new NotFound('product');
      }
      if (product.version !== data.version) {
        throw new StaleObject();
      }
      const { version: _v, ...fields } = data;
      Object.assign(product, fields);
      const saved = await em.save(product);
      await this.audit.record(em, actor, {
        action: 'product.updated',
        subjectType: 'product',
        subjectId: id,
        detail: { ...fields },
      });
      return saved;
    });
  }
}
