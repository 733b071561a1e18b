import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { idParam } from '../common/forms.js';
import { MAX_CSR_BYTES } from '../csr/csr-parser.js';
import { pageRequest } from '../common/paging.js';
import { actorOf } from '../common/request.js';
import { I18nService } from '../i18n/i18n.service.js';
import type { CertificateRequest } from './certificate-request.entity.js';
import { isRequestStatus } from './request-status.js';
import { RequestRefused, RequestsService, type RequestDraft } from './requests.service.js';

// JSON carries the CSR as PEM text, or DER in base64; the evidence as { name, data: base64 }.
function draftFromJson(body: Record<string, unknown>): RequestDraft {
  const csr = typeof body.csr === 'string' ? body.csr : undefined;
  // Anything not armoured is taken for base64 DER; an oversize text stays text for the limit.
  const derBase64 =
    csr !== undefined &&
    csr.length <= MAX_CSR_BYTES &&
    !csr.includes('-----BEGIN') &&
    /^[A-Za-z0-9+/=\s]+$/.test(csr);
  const evidence = body.evidence as { name?: unknown; data?: unknown } | undefined;
  return {
    departmentId: body.departmentId,
    product: body.product,
    csr: derBase64 ? new Uint8Array(Buffer.from(csr, 'base64')) : csr,
    validityDays: body.validityDays,
    extraNames: body.extraNames,
    comment: body.comment,
    keyProtection: body.keyProtection,
    evidence:
      evidence && typeof evidence.data === 'string'
        ? {
            name: typeof evidence.name === 'string' ? evidence.name : 'evidence',
            data: new Uint8Array(Buffer.from(evidence.data, 'base64')),
          }
        : null,
  };
}

function view(r: CertificateRequest) {
  const { evidenceData: _e, department, product, ...rest } = r;
  return {
    ...rest,
    department: department ? { id: department.id, name: department.name } : undefined,
    product: product ? { code: product.code, name: product.name } : undefined,
  };
}

@Controller('api/v1')
export class RequestsApiController {
  constructor(
    private readonly requests: RequestsService,
    private readonly i18n: I18nService,
  ) {}

  @Post('csr/check')
  @HttpCode(200)
  check(@Body() body: Record<string, unknown>, @Req() req: Request) {
    return this.requests.check(req.principal!, draftFromJson(body ?? {}), req.lang);
  }

  @Post('requests')
  async submit(
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    try {
      return view(
        await this.requests.submit(
          req.principal!,
          draftFromJson(body ?? {}),
          actorOf(req),
          req.lang,
        ),
      );
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
        parsed: err.result.parsed,
      };
    }
  }

  @Get('requests')
  async list(@Query() query: Record<string, unknown>, @Req() req: Request) {
    const n = (v: unknown) =>
      Number.isInteger(Number(v)) && Number(v) > 0 ? Number(v) : undefined;
    const page = await this.requests.list(req.principal!, pageRequest(query, 100), {
      departmentId: n(query.departmentId),
      organisationId: n(query.organisationId),
      status: isRequestStatus(query.status) ? query.status : undefined,
    });
    return { ...page, items: page.items.map(view) };
  }

  @Get('requests/:id')
  async get(@Param('id') id: string, @Req() req: Request) {
    const { organisation: _o, ...r } = await this.requests.get(req.principal!, idParam(id));
    return view(r);
  }

  @Post('requests/:id/cancel')
  @HttpCode(200)
  async cancel(@Param('id') id: string, @Body() body: unknown, @Req() req: Request) {
    return view(await this.requests.cancel(req.principal!, idParam(id), body, actorOf(req)));
  }
}
