import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { formFailure } from '../common/forms.js';
import { pageRequest } from '../common/paging.js';
import { actorOf } from '../common/request.js';
import { I18nService } from '../i18n/i18n.service.js';
import { ProductsService } from '../products/products.service.js';
import { RequestsService } from '../requests/requests.service.js';
import { ApprovalsService, MAX_BULK, type BulkOutcome } from './approvals.service.js';

const positive = (v: unknown) =>
  Number.isInteger(Number(v)) && Number(v) > 0 && Number(v) < 1e9 ? Number(v) : undefined;

// Checked boxes arrive as `pick=<id>:<version>`, one or many.
function picked(body: Record<string, unknown>): { id: number; version: number }[] {
  const raw = body.pick === undefined ? [] : Array.isArray(body.pick) ? body.pick : [body.pick];
  return raw
    .map((v) => /^(\d{1,9}):(\d{1,9})$/.exec(String(v)))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ id: Number(m[1]), version: Number(m[2]) }))
    .slice(0, MAX_BULK);
}

// The RAO's queue and the substitutes page; the decisions themselves go through the request's
// own actions (and the lifecycle), one at a time or several checked at once.
@Controller('approvals')
export class ApprovalsController {
  constructor(
    private readonly approvals: ApprovalsService,
    private readonly requests: RequestsService,
    private readonly products: ProductsService,
    private readonly i18n: I18nService,
  ) {}

  private async renderQueue(
    req: Request,
    res: Response,
    query: Record<string, unknown>,
    status = 200,
    outcomes?: BulkOutcome[],
  ) {
    const filter = {
      departmentId: positive(query.department),
      productId: positive(query.product),
      olderThanDays: positive(query.age),
    };
    res.status(status).render('approvals/queue', {
      title: this.i18n.t(req.lang, 'approvals.title'),
      list: await this.requests.list(req.principal!, pageRequest(query, 50), {
        ...filter,
        awaitingMe: true,
      }),
      filter,
      departments: await this.requests.departmentsFor(req.principal!),
      products: await this.products.list(),
      outcomes: outcomes?.map((o) => ({
        id: o.id,
        ok: o.ok,
        message: o.ok
          ? this.i18n.t(req.lang, `requests.statuses.${o.status}`)
          : this.i18n.t(req.lang, `errors.${o.code}`, o.params),
      })),
      failed: outcomes?.filter((o) => !o.ok).length ?? 0,
    });
  }

  @Get()
  async queue(@Req() req: Request, @Res() res: Response, @Query() query: Record<string, unknown>) {
    await this.renderQueue(req, res, query);
  }

  // Bulk approve: each checked request on its own; the page lists which failed and why.
  @Post('approve-many')
  async approveMany(
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const items = picked(body);
    const outcomes = await this.approvals.bulkApprove(
      { principal: req.principal!, actor: actorOf(req) },
      items,
    );
    await this.renderQueue(req, res, body, 200, outcomes);
  }

  @Get('substitutes')
  async substitutes(@Req() req: Request, @Res() res: Response) {
    await this.renderSubstitutes(req, res, 200);
  }

  private async renderSubstitutes(
    req: Request,
    res: Response,
    status: number,
    failure?: { formError: string; problems: unknown[] },
    values: Record<string, unknown> = {},
  ) {
    res.status(status).render('approvals/substitutes', {
      title: this.i18n.t(req.lang, 'approvals.substitutes.title'),
      items: (await this.approvals.substitutions(req.principal!)).map((s) => ({
        ...s,
        mine: s.absent.id === req.principal!.userId,
      })),
      values,
      ...failure,
    });
  }

  @Post('substitutes')
  async appoint(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    try {
      await this.approvals.appoint(req.principal!, body, actorOf(req));
    } catch (err) {
      await this.renderSubstitutes(req, res, 422, formFailure(err, req, this.i18n), body);
      return;
    }
    req.session.flash = { kind: 'info', key: 'approvals.substitutes.appointed' };
    res.redirect(303, '/approvals/substitutes');
  }

  @Post('substitutes/end')
  async end(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    await this.approvals.endSubstitution(req.principal!, positive(body.id) ?? -1, actorOf(req));
    req.session.flash = { kind: 'info', key: 'approvals.substitutes.ended' };
    res.redirect(303, '/approvals/substitutes');
  }
}
