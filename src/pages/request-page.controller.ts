import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { historyPage } from '../audit/audit-history.js';
import { AuditService } from '../audit/audit.service.js';
import { CertificatesService } from '../certificates/certificates.service.js';
import { DomainError, NotFound } from '../common/errors.js';
import { formFailure, type FormFailure } from '../common/forms.js';
import { ParseIdPipe } from '../common/ids.js';
import { parseInput } from '../common/input.js';
import { actorOf } from '../common/request.js';
import { I18nService } from '../i18n/i18n.service.js';
import { lastOutcome } from '../requests/request-outcome.js';
import {
  LIFECYCLE,
  offeredAction,
  RequestLifecycle,
  type RequestAction,
} from '../requests/request-lifecycle.js';
import { actionInput } from '../requests/requests.input.js';
import { RequestsService } from '../requests/requests.service.js';

// Shown as dangerous buttons: they end the request's life.
const DESTRUCTIVE = new Set<RequestAction>(['cancel', 'reject', 'revoke']);

// A request's page (the approver's detail page too): the CSR, each name's domain, who has
// approved, earlier certificates for the same names, the actions open now and the history.
// Here, above requests and certificates, because it shows both.
@Controller('requests')
export class RequestPageController {
  constructor(
    private readonly requests: RequestsService,
    private readonly lifecycle: RequestLifecycle,
    private readonly certificates: CertificatesService,
    private readonly audit: AuditService,
    private readonly i18n: I18nService,
  ) {}

  @Get(':id')
  async show(@Param('id', ParseIdPipe) id: number, @Req() req: Request, @Res() res: Response) {
    await this.renderRequest(req, res, id, 200);
  }

  @Get(':id/history')
  async history(
    @Param('id', ParseIdPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
    @Query() query: Record<string, unknown>,
  ) {
    const r = await this.requests.get(req.principal!, id);
    const name = this.i18n.t(req.lang, 'requests.one', { id: r.id });
    res.render('audit/history', {
      name,
      back: `/requests/${r.id}`,
      ...(await historyPage(this.audit, `/requests/${r.id}/history`, query, {
        type: 'request',
        id: r.id,
      })),
    });
  }

  private async renderRequest(
    req: Request,
    res: Response,
    id: number,
    status: number,
    failure?: FormFailure,
  ) {
    const p = req.principal!;
    const r = await this.requests.get(p, id);
    const approvals = await this.lifecycle.approvalsOf(r.id);
    const history = await this.audit.history('request', r.id);
    const outcome = lastOutcome(r.status, history);
    const actions = await this.lifecycle.actionsFor(
      p,
      r,
      approvals.map((a) => a.personId),
    );
    res.status(status).render('requests/show', {
      title: this.i18n.t(req.lang, 'requests.one', { id: r.id }),
      request: r,
      ...(await this.requests.particulars(r)),
      approvals,
      approvalsRequired: r.product?.approvalsRequired ?? 1,
      nextStep: `requests.next.${r.status}`,
      outcome: outcome ? this.i18n.t(req.lang, outcome.key, outcome.params) : null,
      warnings: r.warnings.map((w) => this.i18n.t(req.lang, `csr.findings.${w.code}`, w.params)),
      earlier: await this.certificates.sharingNames(p, r.names, r.id),
      history: history.slice(0, 10),
      historyHref: `/requests/${r.id}/history`,
      actions: actions.map((action) => ({
        name: action,
        needsReason: LIFECYCLE[action].reason === 'required',
        destructive: DESTRUCTIVE.has(action),
      })),
      formError: failure?.formError,
      problems: failure?.problems,
    });
  }

  // The buttons on the request page: each action offered to this person now.
  @Post(':id/:action')
  async act(
    @Param('id', ParseIdPipe) requestId: number,
    @Param('action') name: string,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const action = offeredAction(name);
    // A malformed id is an unknown request, whatever the body says.
    if (requestId < 0) {
      throw new NotFound('request');
    }
    try {
      const { version, reason } = parseInput(actionInput, body);
      await this.lifecycle.transition(
        { principal: req.principal!, actor: actorOf(req) },
        requestId,
        action,
        { expectedVersion: version, reason },
      );
    } catch (err) {
      // Someone else got there first, or the state moved on: show the request as it is now.
      if (err instanceof DomainError && (err.kind === 'conflict' || err.kind === 'invalid')) {
        const failure = formFailure(err, req, this.i18n);
        await this.renderRequest(req, res, requestId, failure.status, failure);
        return;
      }
      throw err;
    }
    req.session.flash = { kind: 'info', key: `requests.done.${action}` };
    res.redirect(303, `/requests/${requestId}`);
  }
}
