import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { NotFound } from '../common/errors.js';
import { renderFormFailure } from '../common/forms.js';
import { ParseIdPipe } from '../common/ids.js';
import { parseInput } from '../common/input.js';
import { actorOf } from '../common/request.js';
import { I18nService } from '../i18n/i18n.service.js';
import { orderNumberInput, resendInput } from './orders.input.js';
import { unsettledView } from './reconciliation-api.controller.js';
import { ReconciliationService } from './reconciliation.service.js';

// The RAO's page: each order the RA could not settle, what is known, and the two ways out.
@Controller('reconciliation')
export class ReconciliationController {
  constructor(
    private readonly reconciliation: ReconciliationService,
    private readonly i18n: I18nService,
  ) {}

  private async model(req: Request) {
    const items = await this.reconciliation.list(req.principal!);
    return { items: items.map((u) => unsettledView(u, req.lang, this.i18n)) };
  }

  @Get()
  async page(@Req() req: Request, @Res() res: Response) {
    res.render('orders/reconciliation', await this.model(req));
  }

  @Post(':id/:step')
  async settle(
    @Param('id', ParseIdPipe) target: number,
    @Param('step') step: string,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    if (step !== 'order-number' && step !== 'resend') {
      throw new NotFound('page');
    }
    try {
      if (step === 'order-number') {
        const input = parseInput(orderNumberInput, body);
        await this.reconciliation.recordOrderNumber(req.principal!, actorOf(req), target, input);
      } else {
        const input = parseInput(resendInput, body);
        await this.reconciliation.resend(req.principal!, actorOf(req), target, input);
      }
    } catch (err) {
      renderFormFailure(err, req, res, this.i18n, 'orders/reconciliation', {
        ...(await this.model(req)),
        failedRequestId: target,
      });
      return;
    }
    req.session.flash = {
      kind: 'info',
      key: step === 'order-number' ? 'orders.reconcile.recorded' : 'orders.reconcile.resent',
    };
    res.redirect(303, '/reconciliation');
  }
}
