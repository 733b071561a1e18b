import { Injectable } from '@nestjs/common';
import { canEditProducts } from '../access/access.js';
import type { Principal } from '../accounts/principal.js';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { NotFound, StaleObject, ValidationFailed } from '../common/errors.js';
import { editedInput, parseInput, type EditMode } from '../common/input.js';
import { Transactions } from '../database/transactions.js';
import { Product } from './product.entity.js';
import { productCreateInput, productUpdateInput } from './products.input.js';

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

  async update(
    principal: Principal,
    id: number,
    input: unknown,
    actor: Actor,
    mode: EditMode = 'replace',
  ): Promise<Product> {
    if (!canEditProducts(principal)) {
      throw new NotFound('product');
    }
    return this.tx.run(async (em) => {
      const product = await em.findOne(Product, { where: { id }, lock: this.tx.forUpdate });
      if (!product) {
        throw new NotFound('product');
      }
      const data = parseInput(productUpdateInput, editedInput(mode, input, product));
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
