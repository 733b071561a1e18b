import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ParseIdPipe } from '../common/ids.js';
import { parseInput } from '../common/input.js';
import { actorOf } from '../common/request.js';
import { I18nService } from '../i18n/i18n.service.js';
import { RequestRefused } from '../requests/requests.errors.js';
import { revokeInput } from './orders.input.js';
import { RenewalService } from './renewal.service.js';
import { RevocationService } from './revocation.service.js';

// Revocation, renewal and replacement of a stored certificate.
@Controller('api/v1/certificates')
export class CertificateActionsApiController {
  constructor(
    private readonly revocation: RevocationService,
    private readonly renewal: RenewalService,
    private readonly i18n: I18nService,
  ) {}

  @Post(':id/revoke')
  @HttpCode(200)
  async revoke(
    @Param('id', ParseIdPipe) target: number,
    @Body() body: unknown,
    @Req() req: Request,
  ) {
    const input = parseInput(revokeInput, body);
    const c = await this.revocation.revoke(req.principal!, actorOf(req), target, input);
    return {
      id: c.id,
      state: c.state,
      revocationReason: c.revocationReason,
      revokedAt: c.revokedAt,
    };
  }

  // { csr, replace?: boolean, validityDays?, comment? }: a new request, like POST /requests.
  @Post(':id/renew')
  async renew(
    @Param('id', ParseIdPipe) target: number,
    @Body() body: Record<string, unknown> | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const b = body ?? {};
    try {
      const r = await this.renewal.renew(req.principal!, actorOf(req), req.lang, target, {
        csr: typeof b.csr === 'string' ? b.csr : undefined,
        how: b.replace === true || b.replace === 'true' ? 'replace' : 'renew',
        product: b.product,
        validityDays: b.validityDays,
        comment: b.comment,
      });
      res.status(201);
      return {
        id: r.id,
        status: r.status,
        version: r.version,
        replacesCertificateId: r.replacesCertificateId,
        replacesHow: r.replacesHow,
      };
    } catch (err) {
      if (!(err instanceof RequestRefused)) {
        throw err;
      }
      res.status(422).type('application/problem+json');
      return {
        type: 'about:blank',
        title: this.i18n.t(req.lang, 'errors.request_refused'),
        status: 422,
        code: 'request_refused',
        errors: err.result.errors,
        warnings: err.result.warnings,
      };
    }
  }
}
