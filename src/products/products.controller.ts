import { Body, Controller, Get, Param, Patch, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { canEditProducts } from '../access/access.js';
import { Clock } from '../common/clock.js';
import { NotFound } from '../common/errors.js';
import { validityOnOffer } from '../csr/validity.js';
import { submitForm } from '../common/forms.js';
import { ParseIdPipe } from '../common/ids.js';
import { actorOf } from '../common/request.js';
import { I18nService } from '../i18n/i18n.service.js';
import { PRODUCT_KINDS, type Product } from './product.entity.js';
import { maxTerm, ProductsService } from './products.service.js';

const formValues = (p: Product) => ({ ...p, validityTerms: p.validityTerms.join(' ') });

@Controller('products')
export class ProductsController {
  constructor(
    private readonly products: ProductsService,
    private readonly i18n: I18nService,
    private readonly clock: Clock,
  ) {}

  @Get()
  async list(@Req() req: Request, @Res() res: Response) {
    const today = this.clock.now();
    res.render('products/list', {
      today,
      products: (await this.products.list()).map((p) => ({
        ...p,
        ...validityOnOffer(p.kind, maxTerm(p), today),
        terms: p.validityTerms.join(', '),
      })),
      canEdit: canEditProducts(req.principal!),
    });
  }

  @Get('new')
  newForm(@Req() req: Request, @Res() res: Response) {
    if (!canEditProducts(req.principal!)) {
      throw new NotFound('product');
    }
    res.render('products/form', {
      kinds: PRODUCT_KINDS,
      values: { kind: 'tls', maxNames: 1, approvalsRequired: 1, active: true },
    });
  }

  @Post()
  async create(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    await submitForm(req, res, this.i18n, {
      save: () => this.products.create(req.principal!, body, actorOf(req)),
      then: () => '/products',
      view: 'products/form',
      model: () => ({ kinds: PRODUCT_KINDS }),
    });
  }

  @Get(':id/edit')
  async editForm(@Param('id', ParseIdPipe) id: number, @Req() req: Request, @Res() res: Response) {
    if (!canEditProducts(req.principal!)) {
      throw new NotFound('product');
    }
    const p = await this.products.get(id);
    res.render('products/form', {
      kinds: PRODUCT_KINDS,
      values: formValues(p),
      editing: p.id,
      code: p.code,
    });
  }

  @Post(':id')
  async update(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await submitForm(req, res, this.i18n, {
      save: () => this.products.update(req.principal!, id, body, actorOf(req)),
      then: () => '/products',
      view: 'products/form',
      model: () => ({ kinds: PRODUCT_KINDS, editing: id }),
    });
  }
}

@Controller('api/v1/products')
export class ProductsApiController {
  constructor(private readonly products: ProductsService) {}

  @Get()
  list() {
    return this.products.list();
  }

  @Post()
  create(@Body() body: unknown, @Req() req: Request) {
    return this.products.create(req.principal!, body, actorOf(req));
  }

  // Fields left out keep their value; `version` is required.
  @Patch(':id')
  async update(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
  ) {
    return this.products.update(req.principal!, id, body, actorOf(req), 'merge');
  }
}
