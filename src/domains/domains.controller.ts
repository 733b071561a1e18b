import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { can } from '../access/access.js';
import { placeOfDomain } from '../access/places.js';
import { AuditService } from '../audit/audit.service.js';
import { submitForm, submitOnPage } from '../common/forms.js';
import { ParseIdPipe } from '../common/ids.js';
import { Public } from '../common/public.decorator.js';
import { actorOf } from '../common/request.js';
import { I18nService } from '../i18n/i18n.service.js';
import { OrganisationsService } from '../organisations/organisations.service.js';
import { localiseDetail } from './dcv/dcv-detail.js';
import { DomainsService } from './domains.service.js';

@Controller()
export class DomainsController {
  constructor(
    private readonly domains: DomainsService,
    private readonly organisations: OrganisationsService,
    private readonly audit: AuditService,
    private readonly i18n: I18nService,
  ) {}

  @Get('organisations/:id/domains/new')
  async newForm(@Param('id', ParseIdPipe) id: number, @Req() req: Request, @Res() res: Response) {
    const o = await this.organisations.get(req.principal!, id, 'domain.create');
    res.render('domains/new', { organisation: o, values: {} });
  }

  @Post('organisations/:id/domains')
  async create(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const o = await this.organisations.get(req.principal!, id, 'domain.create');
    await submitForm(req, res, this.i18n, {
      save: () => this.domains.register(req.principal!, o.id, body, actorOf(req)),
      then: (d) => `/domains/${d.id}`,
      flash: 'domains.registered',
      view: 'domains/new',
      model: () => ({ organisation: o }),
    });
  }

  @Get('domains/:id')
  async show(@Param('id', ParseIdPipe) id: number, @Req() req: Request, @Res() res: Response) {
    await this.renderShow(id, req, res);
  }

  private async renderShow(
    id: number,
    req: Request,
    res: Response,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const p = req.principal!;
    const detail = await this.domains.get(p, id);
    const place = placeOfDomain(detail.organisation, detail.departmentIds);
    const mayEdit = can(p, 'domain.edit', place);
    const departments = mayEdit
      ? await this.organisations.listDepartments(p, detail.organisation.id)
      : [];
    res.status(status).render('domains/show', {
      title: detail.domain.name,
      ...detail,
      departments: departments.map((d) => ({
        ...d,
        delegated: detail.departmentIds.includes(d.id),
      })),
      lastCheckDetail: detail.domain.lastCheckDetail
        ? localiseDetail(
            detail.domain.lastCheckDetail,
            (key, params) => this.i18n.t(req.lang, key, params),
            req.lang,
          )
        : null,
      history: await this.audit.history('domain', id),
      may: {
        edit: mayEdit,
        check: can(p, 'domain.check', place),
        validateManually: can(p, 'domain.validate-manually', place),
      },
      ...extra,
    });
  }

  @Post('domains/:id')
  async update(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await submitOnPage(req, res, this.i18n, {
      save: () => this.domains.update(req.principal!, id, body, actorOf(req)),
      then: () => `/domains/${id}`,
      page: (failure) => this.renderShow(id, req, res, { editForm: failure }, failure.status),
    });
  }

  @Post('domains/:id/check')
  async check(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await submitOnPage(req, res, this.i18n, {
      save: () => this.domains.check(req.principal!, id, body, actorOf(req)),
      then: () => `/domains/${id}#validation`,
      flash: ({ outcome }) => ({
        kind: outcome.ok ? 'info' : 'error',
        key: outcome.ok ? 'domains.check.ok' : 'domains.check.failed',
      }),
      page: (failure) => this.renderShow(id, req, res, { checkForm: failure }, failure.status),
    });
  }

  @Post('domains/:id/email')
  async email(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await submitOnPage(req, res, this.i18n, {
      save: () =>
        this.domains.sendValidationEmail(req.principal!, id, body, actorOf(req), req.lang),
      then: () => `/domains/${id}#validation`,
      flash: 'domains.email.sent',
      page: (failure) => this.renderShow(id, req, res, { emailForm: failure }, failure.status),
    });
  }

  @Post('domains/:id/manual-validation')
  async manual(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await submitOnPage(req, res, this.i18n, {
      save: () => this.domains.validateManually(req.principal!, id, body, actorOf(req)),
      then: () => `/domains/${id}#validation`,
      flash: 'domains.manual.done',
      page: (failure) =>
        this.renderShow(id, req, res, { manualForm: { ...failure, values: body } }, failure.status),
    });
  }

  // The link in the validation e-mail. GET only shows a button: mail scanners that follow
  // links must not validate a domain by themselves.
  @Public()
  @Get(['domain-validation', 'domain-validation/:token'])
  async emailLink(
    @Param('token') fromPath: string | undefined,
    @Query('token') fromQuery: string | undefined,
    @Res() res: Response,
  ) {
    const token = fromPath ?? fromQuery;
    const domain = await this.domains.emailLink(String(token ?? ''));
    res.render('domains/email-confirm', { domain, token });
  }

  @Public()
  @Post('domain-validation')
  @HttpCode(200)
  async confirm(@Body('token') token: unknown, @Req() req: Request, @Res() res: Response) {
    const domain = await this.domains.confirmEmail(typeof token === 'string' ? token : '', req.ip);
    res.render('domains/email-confirmed', { domain });
  }
}
