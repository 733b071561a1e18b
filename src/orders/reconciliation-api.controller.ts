import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ParseIdPipe } from '../common/ids.js';
import { parseInput } from '../common/input.js';
import { actorOf } from '../common/request.js';
import { I18nService } from '../i18n/i18n.service.js';
import type { Language } from '../i18n/languages.js';
import { orderNumberInput, resendInput } from './orders.input.js';
import { ReconciliationService, type Unsettled } from './reconciliation.service.js';

export function unsettledView(u: Unsettled, lang: Language, i18n: I18nService) {
  const { request: r, order: o } = u;
  return {
    requestId: r.id,
    version: r.version,
    status: r.status,
    names: r.names,
    organisation: { id: u.organisation.id, name: u.organisation.name },
    requester: u.requesterEmail,
    waitingSince: r.statusChangedAt,
    order: {
      foreignOrderNumber: o.foreignOrderNumber,
      state: o.state,
      attempts: o.attempts,
      firstQueuedAt: o.createdAt,
      lastAttemptAt: o.lastAttemptAt,
      lastOutcome: o.lastOutcome
        ? { ...o.lastOutcome, message: i18n.t(lang, o.lastOutcome.key, o.lastOutcome.params) }
        : null,
    },
  };
}

// The RAO's door to orders whose outcome at the CA is unknown.
@Controller('api/v1/reconciliation')
export class ReconciliationApiController {
  constructor(
    private readonly reconciliation: ReconciliationService,
    private readonly i18n: I18nService,
  ) {}

  @Get()
  async list(@Req() req: Request) {
    const items = await this.reconciliation.list(req.principal!);
    return { items: items.map((u) => unsettledView(u, req.lang, this.i18n)) };
  }

  @Post(':id/order-number')
  @HttpCode(200)
  async orderNumber(
    @Param('id', ParseIdPipe) target: number,
    @Body() body: unknown,
    @Req() req: Request,
  ) {
    const input = parseInput(orderNumberInput, body);
    const r = await this.reconciliation.recordOrderNumber(
      req.principal!,
      actorOf(req),
      target,
      input,
    );
    return { requestId: r.id, status: r.status, version: r.version };
  }

  @Post(':id/resend')
  @HttpCode(200)
  async resend(
    @Param('id', ParseIdPipe) target: number,
    @Body() body: unknown,
    @Req() req: Request,
  ) {
    const input = parseInput(resendInput, body);
    const r = await this.reconciliation.resend(req.principal!, actorOf(req), target, input);
    return { requestId: r.id, status: r.status, version: r.version };
  }
}
