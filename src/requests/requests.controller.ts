import { randomBytes } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { formFailure } from '../common/forms.js';
import { pageRequest } from '../common/paging.js';
import { actorOf } from '../common/request.js';
import { MAX_CSR_BYTES } from '../csr/csr-parser.js';
import { I18nService } from '../i18n/i18n.service.js';
import { ProductsService } from '../products/products.service.js';
import {
  CsrEvaluationService,
  type CheckResult,
  type RequestDraft,
} from './csr-evaluation.service.js';
import { isRequestStatus, REQUEST_STATUSES } from './request-status.js';
import { RequestRefused } from './requests.errors.js';
import { pemOf, RequestsService } from './requests.service.js';

interface UploadedFile {
  originalname: string;
  buffer: Buffer;
  size: number;
}
type Uploads = { csrFile?: UploadedFile[]; evidenceFile?: UploadedFile[] } | undefined;

// The form sends the CSR pasted or as a file (PEM or DER); after the preview it comes back
// as text, and the evidence file as base64, in hidden fields.
export function draftFromForm(body: Record<string, unknown>, files: Uploads): RequestDraft {
  const csrFile = files?.csrFile?.[0];
  const evidenceFile = files?.evidenceFile?.[0];
  const carried =
    typeof body.evidenceData === 'string' && body.evidenceData
      ? Buffer.from(body.evidenceData, 'base64')
      : null;
  return {
    departmentId: body.departmentId,
    product: body.product,
    csr:
      csrFile && csrFile.size > 0
        ? new Uint8Array(csrFile.buffer)
        : typeof body.csr === 'string'
          ? body.csr
          : undefined,
    validityDays: body.validityDays,
    extraNames: body.extraNames,
    comment: body.comment,
    keyProtection: body.keyProtection,
    submissionKey: body.submissionKey,
    evidence:
      evidenceFile && evidenceFile.size > 0
        ? { name: evidenceFile.originalname, data: new Uint8Array(evidenceFile.buffer) }
        : carried
          ? {
              name: typeof body.evidenceName === 'string' ? body.evidenceName : 'evidence',
              data: new Uint8Array(carried),
            }
          : null,
  };
}

@Controller('requests')
export class RequestsController {
  constructor(
    private readonly requests: RequestsService,
    private readonly evaluation: CsrEvaluationService,
    private readonly products: ProductsService,
    private readonly i18n: I18nService,
  ) {}

  // Only the products some organisation of the person's departments may order, so the
  // form does not offer what would be refused.
  private async formModel(req: Request) {
    const departments = await this.requests.departmentsFor(req.principal!);
    const allowed = new Set(departments.flatMap((d) => d.organisation.allowedProducts));
    return {
      departments,
      products: (await this.products.list(true)).filter((p) => allowed.has(p.code)),
      maxKiB: MAX_CSR_BYTES / 1024,
    };
  }

  @Get()
  async list(@Req() req: Request, @Res() res: Response, @Query() query: Record<string, unknown>) {
    const p = req.principal!;
    const departments = await this.requests.departmentsFor(p);
    const products = await this.products.list();
    const filter = {
      status: isRequestStatus(query.status) ? query.status : undefined,
      departmentId: departments.find((d) => String(d.id) === query.department)?.id,
      product: products.find((x) => x.code === query.product)?.code,
    };
    const list = await this.requests.list(p, pageRequest(query), filter);
    // The pager keeps the filters.
    const kept = new URLSearchParams();
    for (const [k, v] of Object.entries({
      ...filter,
      department: filter.departmentId,
      q: list.q,
    })) {
      if (v !== undefined && v !== '' && k !== 'departmentId') {
        kept.set(k, String(v));
      }
    }
    res.render('requests/list', {
      list,
      filter,
      filterQuery: kept.toString(),
      statuses: REQUEST_STATUSES,
      departments,
      products,
      canRequest: departments.length > 0,
    });
  }

  @Get('new')
  async newForm(
    @Req() req: Request,
    @Res() res: Response,
    @Query('department') department?: string,
  ) {
    res.render('requests/form', {
      ...(await this.formModel(req)),
      values: { departmentId: Number(department) || undefined },
    });
  }

  // "Check": every rule, nothing saved; shows the preview or the problems, input kept.
  @Post('check')
  @HttpCode(200)
  async check(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const draft = draftFromForm(body, req.files as Uploads);
    if (body.edit) {
      // "Change" on the preview: the form again, filled in, nothing checked.
      res.render('requests/form', { ...(await this.formModel(req)), values: body });
      return;
    }
    try {
      const result = await this.evaluation.check(req.principal!, draft, req.lang);
      await this.renderResult(req, res, body, draft, result, 200);
    } catch (err) {
      const failure = formFailure(err, req, this.i18n);
      res
        .status(failure.status)
        .render('requests/form', { ...(await this.formModel(req)), ...failure, values: body });
    }
  }

  private async renderResult(
    req: Request,
    res: Response,
    body: Record<string, unknown>,
    draft: RequestDraft,
    result: CheckResult,
    status: number,
  ) {
    // A CSR uploaded as a file travels on as PEM text; an unreadable upload is not echoed.
    const csr = typeof draft.csr === 'string' ? draft.csr : result.parsed ? pemOf(draft.csr) : '';
    res.status(status).render(result.ok ? 'requests/preview' : 'requests/form', {
      ...(await this.formModel(req)),
      result,
      submissionKey: randomBytes(18).toString('base64url'),
      values: {
        ...body,
        csr,
        evidenceName: draft.evidence?.name,
        evidenceData: draft.evidence
          ? Buffer.from(draft.evidence.data).toString('base64')
          : undefined,
      },
    });
  }

  // "Confirm" on the preview: checked again, then recorded for the RAO's approval.
  @Post()
  async submit(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const draft = draftFromForm(body, req.files as Uploads);
    const earlier = await this.requests.submittedWithKey(req.principal!, draft);
    if (earlier) {
      // Back and Submit again: the form was already sent; show what it made.
      req.session.flash = { kind: 'info', key: 'ui.requests.alreadySubmitted' };
      res.redirect(303, `/requests/${earlier.id}`);
      return;
    }
    try {
      const request = await this.requests.submit(req.principal!, draft, actorOf(req), req.lang);
      req.session.flash = { kind: 'info', key: 'requests.submitted' };
      res.redirect(303, `/requests/${request.id}`);
    } catch (err) {
      if (err instanceof RequestRefused) {
        await this.renderResult(req, res, body, draft, err.result, 422);
        return;
      }
      const failure = formFailure(err, req, this.i18n);
      res
        .status(failure.status)
        .render('requests/form', { ...(await this.formModel(req)), ...failure, values: body });
    }
  }
}
