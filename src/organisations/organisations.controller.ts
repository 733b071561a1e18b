import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { can, canInvite } from '../access/access.js';
import { AuditService } from '../audit/audit.service.js';
import { formFailure, idParam, submitForm } from '../common/forms.js';
import { pageRequest } from '../common/paging.js';
import { actorOf } from '../common/request.js';
import { DomainsService } from '../domains/domains.service.js';
import { I18nService } from '../i18n/i18n.service.js';
import { NrensService } from '../nrens/nrens.service.js';
import { PeopleService } from '../people/people.service.js';
import { ProductsService } from '../products/products.service.js';
import type { Organisation } from './organisation.entity.js';
import { OrganisationsService, placeOfOrganisation } from './organisations.service.js';

function formValues(o: Organisation) {
  return {
    ...o,
    certificateContacts: o.certificateContacts.join('\n'),
  };
}

// The form sends one code per ticked box: nothing, one string or several.
function codesOf(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

@Controller('organisations')
export class OrganisationsController {
  constructor(
    private readonly organisations: OrganisationsService,
    private readonly nrens: NrensService,
    private readonly domains: DomainsService,
    private readonly people: PeopleService,
    private readonly audit: AuditService,
    private readonly i18n: I18nService,
    private readonly products: ProductsService,
  ) {}

  // The catalogue as a checklist, ticked where the organisation may order.
  private async productChoices(selected: unknown) {
    const codes = new Set(codesOf(selected));
    return (await this.products.list()).map((p) => ({
      code: p.code,
      name: p.name,
      active: p.active,
      checked: codes.has(p.code),
    }));
  }

  @Get()
  async list(@Req() req: Request, @Res() res: Response, @Query() query: Record<string, unknown>) {
    const p = req.principal!;
    res.render('organisations/list', {
      title: this.i18n.t(req.lang, 'organisations.title'),
      list: await this.organisations.list(p, pageRequest(query)),
      canCreate: (await this.nrens.listForChooser(p)).some((n) =>
        can(p, 'organisation.create', { nrenId: n.id }),
      ),
    });
  }

  @Get('new')
  async newForm(@Req() req: Request, @Res() res: Response, @Query('nren') nren?: string) {
    res.render('organisations/form', {
      nrens: await this.nrens.listForChooser(req.principal!),
      productChoices: await this.productChoices([]),
      values: { nrenId: Number(nren) || undefined, country: '' },
    });
  }

  @Post()
  async create(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    await submitForm(req, res, this.i18n, {
      save: () => this.organisations.create(req.principal!, body, actorOf(req)),
      then: (o) => `/organisations/${o.id}`,
      view: 'organisations/form',
      model: async () => ({
        nrens: await this.nrens.listForChooser(req.principal!),
        productChoices: await this.productChoices(body.allowedProducts),
      }),
    });
  }

  @Get(':id')
  async show(
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
    @Query() query: Record<string, unknown>,
  ) {
    await this.renderShow(idParam(id), req, res, query);
  }

  private async renderShow(
    id: number,
    req: Request,
    res: Response,
    query: Record<string, unknown> = {},
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const p = req.principal!;
    const o = await this.organisations.get(p, id);
    const place = placeOfOrganisation(o);
    const departments = await this.organisations.listDepartments(p, o.id);
    res.status(status).render('organisations/show', {
      title: o.name,
      organisation: o,
      identity: this.organisations.identityStatus(o),
      departments,
      domains: await this.domains.list(p, o.id, pageRequest(query)),
      people: await this.people.list(p, { organisationId: o.id }),
      invitations: await this.people.listInvitations(p, { organisationId: o.id }),
      history: await this.audit.history('organisation', o.id),
      may: {
        edit: can(p, 'organisation.edit', place),
        validateIdentity: can(p, 'organisation.validate-identity', place),
        createDepartment: can(p, 'department.create', place),
        createDomain: can(p, 'domain.create', place),
        inviteRao: canInvite(p, 'rao', place),
      },
      inviteScopes: [
        ...(canInvite(p, 'rao', place) ? [{ role: 'rao', scopeId: o.id, label: o.name }] : []),
        ...departments.flatMap((d) =>
          (['drao', 'requester'] as const)
            .filter((role) => canInvite(p, role, { ...place, departmentId: d.id }))
            .map((role) => ({ role, scopeId: d.id, label: d.name })),
        ),
      ],
      ...extra,
    });
  }

  @Get(':id/edit')
  async editForm(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const o = await this.organisations.get(req.principal!, idParam(id), 'organisation.edit');
    res.render('organisations/form', {
      values: formValues(o),
      productChoices: await this.productChoices(o.allowedProducts),
      editing: o.id,
    });
  }

  @Post(':id')
  async update(
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const o = await this.organisations.get(req.principal!, idParam(id), 'organisation.edit');
    await submitForm(req, res, this.i18n, {
      save: () => this.organisations.update(req.principal!, o.id, body, actorOf(req)),
      then: () => `/organisations/${o.id}`,
      view: 'organisations/form',
      model: async () => ({
        editing: o.id,
        productChoices: await this.productChoices(body.allowedProducts),
      }),
    });
  }

  @Post(':id/identity-validation')
  async validateIdentity(
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const o = await this.organisations.validateIdentity(
      req.principal!,
      idParam(id),
      body,
      actorOf(req),
    );
    req.session.flash = { kind: 'info', key: 'organisations.identity.done' };
    res.redirect(303, `/organisations/${o.id}`);
  }

  @Post(':id/departments')
  async createDepartment(
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const orgId = idParam(id);
    try {
      await this.organisations.createDepartment(req.principal!, orgId, body, actorOf(req));
      req.session.flash = { kind: 'info', key: 'common.saved' };
      res.redirect(303, `/organisations/${orgId}#departments`);
    } catch (err) {
      const failure = formFailure(err, req, this.i18n);
      await this.renderShow(
        orgId,
        req,
        res,
        {},
        { departmentForm: { ...failure, values: body } },
        failure.status,
      );
    }
  }
}
