import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  CertificateDetailPage,
  type CertificateForm,
} from '../certificates/certificate-detail-page.js';
import { DomainError } from '../common/errors.js';
import { formFailure } from '../common/forms.js';
import { ParseIdPipe } from '../common/ids.js';
import { parseInput } from '../common/input.js';
import { pageRequest } from '../common/paging.js';
import { actorOf } from '../common/request.js';
import { I18nService } from '../i18n/i18n.service.js';
import { RequestRefused } from '../requests/requests.errors.js';
import { revokeInput } from './orders.input.js';
import { RenewalService } from './renewal.service.js';
import {
  askRevocationInput,
  refuseRevocationInput,
  RevocationRequestsService,
} from './revocation-requests.service.js';
import { RevocationService } from './revocation.service.js';

// The certificate page's forms: revoke (approvers), ask for revocation (those who hold it),
// decide on a request to revoke, renew or replace. A form that fails is shown again on the
// certificate page, open, with its problems and what was typed; a refusal by the CA or a CA
// out of reach is shown by the error page in the reader's language (nothing changed then,
// and sending it again is safe).
@Controller()
export class CertificateActionsController {
  constructor(
    private readonly revocation: RevocationService,
    private readonly requests: RevocationRequestsService,
    private readonly renewal: RenewalService,
    private readonly page: CertificateDetailPage,
    private readonly i18n: I18nService,
  ) {}

  // Runs one form's work; on a problem with the input or a conflict, the page again.
  private async onPage(
    req: Request,
    res: Response,
    certificateId: number,
    form: CertificateForm,
    work: () => Promise<{ key: string; to?: string }>,
  ): Promise<void> {
    let done: { key: string; to?: string };
    try {
      done = await work();
    } catch (err) {
      if (err instanceof RequestRefused) {
        const failure = formFailure(err, req, this.i18n);
        failure.problems = err.result.errors.map((e) => ({
          field: 'csr',
          code: 'request_refused',
          message: e.name ? `${e.name}: ${e.message}` : e.message,
        }));
        await this.page.render(req, res, certificateId, failure.status, {
          form,
          failure,
          values: req.body as Record<string, unknown>,
        });
        return;
      }
      if (err instanceof DomainError && (err.kind === 'invalid' || err.kind === 'conflict')) {
        const failure = formFailure(err, req, this.i18n);
        await this.page.render(req, res, certificateId, failure.status, {
          form,
          failure,
          values: req.body as Record<string, unknown>,
        });
        return;
      }
      throw err;
    }
    req.session.flash = { kind: 'info', key: done.key };
    res.redirect(303, done.to ?? `/certificates/${certificateId}`);
  }

  @Post('certificates/:id/revoke')
  async revoke(
    @Param('id', ParseIdPipe) target: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await this.onPage(req, res, target, 'revoke', async () => {
      await this.revocation.revoke(
        req.principal!,
        actorOf(req),
        target,
        parseInput(revokeInput, body),
      );
      return { key: 'orders.revoke.done' };
    });
  }

  @Post('certificates/:id/revocation-requests')
  async ask(
    @Param('id', ParseIdPipe) target: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await this.onPage(req, res, target, 'ask', async () => {
      const { revokedAtOnce, request } = await this.requests.ask(
        req.principal!,
        actorOf(req),
        target,
        parseInput(askRevocationInput, body),
      );
      return {
        key: revokedAtOnce
          ? 'orders.revocationRequests.done.revokedAtOnce'
          : request.reason === 'keyCompromise'
            ? 'orders.revocationRequests.done.keyCompromisePending'
            : 'orders.revocationRequests.done.asked',
      };
    });
  }

  @Post('certificates/:id/revocation-requests/:rid/approve')
  async approve(
    @Param('id', ParseIdPipe) target: number,
    @Param('rid', ParseIdPipe) requestId: number,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await this.onPage(req, res, target, `refuse-${requestId}`, async () => {
      await this.requests.approve(req.principal!, actorOf(req), requestId, target);
      return { key: 'orders.revocationRequests.done.approved' };
    });
  }

  @Post('certificates/:id/revocation-requests/:rid/refuse')
  async refuse(
    @Param('id', ParseIdPipe) target: number,
    @Param('rid', ParseIdPipe) requestId: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await this.onPage(req, res, target, `refuse-${requestId}`, async () => {
      const { reason } = parseInput(refuseRevocationInput, body);
      await this.requests.refuse(req.principal!, actorOf(req), requestId, reason, target);
      return { key: 'orders.revocationRequests.done.refused' };
    });
  }

  // Renew (a new order) or replace (a new CSR on the same order): a new request either way,
  // approved like any other; the requester is taken to it.
  @Post('certificates/:id/renew')
  async renew(
    @Param('id', ParseIdPipe) target: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await this.onPage(req, res, target, 'renew', async () => {
      const r = await this.renewal.renew(req.principal!, actorOf(req), req.lang, target, {
        csr: typeof body.csr === 'string' ? body.csr : undefined,
        how: body.how === 'replace' ? 'replace' : 'renew',
        comment: body.comment,
      });
      return { key: `orders.renewal.done.${r.replacesHow ?? 'renew'}`, to: `/requests/${r.id}` };
    });
  }

  // The approver's list: open revocation requests in their scope, oldest first.
  @Get('revocation-requests')
  async list(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const list = await this.requests.open(req.principal!, pageRequest(query, 25));
    res.render('orders/revocation-requests', {
      title: this.i18n.t(req.lang, 'orders.revocationRequests.title'),
      list,
    });
  }
}
