import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Principal } from '../accounts/principal.js';
import { AuditService } from '../audit/audit.service.js';
import { ParseIdPipe } from '../common/ids.js';
import { parseInput } from '../common/input.js';
import { pageRequest } from '../common/paging.js';
import { actorOf } from '../common/request.js';
import { MAX_CSR_BYTES } from '../csr/csr-parser.js';
import { I18nService } from '../i18n/i18n.service.js';
import { CsrEvaluationService, type RequestDraft } from './csr-evaluation.service.js';
import {
  allowedActions,
  offeredAction,
  RequestLifecycle,
  type RequestAction,
  type RequestWithPlace,
} from './request-lifecycle.js';
import { lastOutcome } from './request-outcome.js';
import { isRequestStatus } from './request-status.js';
import type { RequestApproval } from './request-approval.entity.js';
import { RequestRefused } from './requests.errors.js';
import { actionInput } from './requests.input.js';
import { RequestsService } from './requests.service.js';

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

// A request as the API shows it, with what the caller may do with it now and, where loaded,
// who has approved it so far.
function view(
  r: RequestWithPlace,
  p: Principal,
  approvals?: RequestApproval[],
  actions?: RequestAction[],
) {
  const { evidenceData: _e, department, product, organisation, ...rest } = r;
  return {
    ...rest,
    organisation: { id: organisation.id, name: organisation.name },
    department: department ? { id: department.id, name: department.name } : undefined,
    product: product
      ? { code: product.code, name: product.name, approvalsRequired: product.approvalsRequired }
      : undefined,
    actions:
      actions ??
      allowedActions(
        p,
        r,
        approvals?.map((a) => a.personId),
      ),
    ...(approvals
      ? {
          approvals: approvals.map((a) => ({
            personId: a.personId,
            person: a.personLabel,
            onBehalfOfId: a.onBehalfOfId,
            at: a.createdAt,
          })),
        }
      : {}),
  };
}

const positive = (v: unknown) =>
  Number.isInteger(Number(v)) && Number(v) > 0 ? Number(v) : undefined;

@Controller('api/v1')
export class RequestsApiController {
  constructor(
    private readonly requests: RequestsService,
    private readonly evaluation: CsrEvaluationService,
    private readonly lifecycle: RequestLifecycle,
    private readonly i18n: I18nService,
    private readonly audit: AuditService,
  ) {}

  @Post('csr/check')
  @HttpCode(200)
  check(@Body() body: Record<string, unknown>, @Req() req: Request) {
    return this.evaluation.check(req.principal!, draftFromJson(body ?? {}), req.lang);
  }

  @Post('requests')
  async submit(
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    try {
      const created = await this.requests.submit(
        req.principal!,
        draftFromJson(body ?? {}),
        actorOf(req),
        req.lang,
      );
      return view(await this.requests.get(req.principal!, created.id), req.principal!);
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
    const page = await this.requests.list(req.principal!, pageRequest(query, 100), {
      departmentId: positive(query.department ?? query.departmentId),
      organisationId: positive(query.organisation ?? query.organisationId),
      productId: positive(query.productId),
      olderThanDays: positive(query.olderThanDays),
      status: isRequestStatus(query.status) ? query.status : undefined,
      awaitingMe: query.awaiting === 'me',
    });
    return { ...page, items: page.items.map((r) => view(r, req.principal!)) };
  }

  // With `outcome`: why it failed or waits for reconciliation, in the reader's language.
  @Get('requests/:id')
  async get(@Param('id', ParseIdPipe) id: number, @Req() req: Request) {
    const r = await this.requests.get(req.principal!, id);
    const outcome =
      r.status === 'failed' || r.status === 'needs-reconciliation'
        ? lastOutcome(r.status, await this.audit.history('request', r.id, 20))
        : null;
    const approvals = await this.lifecycle.approvalsOf(r.id);
    const actions = await this.lifecycle.actionsFor(
      req.principal!,
      r,
      approvals.map((a) => a.personId),
    );
    return {
      ...view(r, req.principal!, approvals, actions),
      outcome: outcome
        ? { ...outcome, message: this.i18n.t(req.lang, outcome.key, outcome.params) }
        : null,
    };
  }

  // One door for every action people may take: `actions` in a request names the ones open now.
  @Post('requests/:id/:action')
  @HttpCode(200)
  async act(
    @Param('id', ParseIdPipe) requestId: number,
    @Param('action') name: string,
    @Body() body: unknown,
    @Req() req: Request,
  ) {
    const action = offeredAction(name);
    const { version, reason } = parseInput(actionInput, body);
    const updated = await this.lifecycle.transition(
      { principal: req.principal!, actor: actorOf(req) },
      requestId,
      action,
      { expectedVersion: version, reason },
    );
    const approvals = await this.lifecycle.approvalsOf(updated.id);
    const actions = await this.lifecycle.actionsFor(
      req.principal!,
      updated,
      approvals.map((a) => a.personId),
    );
    return view(updated, req.principal!, approvals, actions);
  }
}
