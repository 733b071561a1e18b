import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuditService } from '../audit/audit.service.js';
import { idParam, submitForm } from '../common/forms.js';
import { pageRequest } from '../common/paging.js';
import { actorOf } from '../common/request.js';
import { I18nService } from '../i18n/i18n.service.js';
import { LANGUAGES } from '../i18n/languages.js';
import { OrganisationsService } from '../organisations/organisations.service.js';
import { PeopleService } from '../people/people.service.js';
import { ProductsService } from '../products/products.service.js';
import { nrenView, NrensService } from './nrens.service.js';
import type { Nren } from './nren.entity.js';

function formValues(n: Nren) {
  return {
    ...nrenView(n),
    caProductIds: Object.entries(n.caProductIds)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
  };
}

@Controller('nrens')
export class NrensController {
  constructor(
    private readonly nrens: NrensService,
    private readonly organisations: OrganisationsService,
    private readonly people: PeopleService,
    private readonly audit: AuditService,
    private readonly i18n: I18nService,
    private readonly products: ProductsService,
  ) {}

  // What the form needs besides the NREN: the languages and the catalogue's codes.
  private async formModel() {
    return {
      languages: LANGUAGES,
      productCodes: (await this.products.list()).map((p) => p.code).join(', '),
    };
  }

  @Get()
  async list(@Req() req: Request, @Res() res: Response, @Query() query: Record<string, unknown>) {
    res.render('nrens/list', {
      title: this.i18n.t(req.lang, 'nrens.title'),
      list: await this.nrens.list(req.principal!, pageRequest(query)),
    });
  }

  @Get('new')
  async newForm(@Req() req: Request, @Res() res: Response) {
    res.render('nrens/form', {
      ...(await this.formModel()),
      values: { defaultLanguage: req.lang, country: '' },
    });
  }

  @Post()
  async create(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    await submitForm(req, res, this.i18n, {
      save: () => this.nrens.create(req.principal!, body, actorOf(req)),
      then: (nren) => `/nrens/${nren.id}`,
      view: 'nrens/form',
      model: () => this.formModel(),
    });
  }

  @Get(':id')
  async show(
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
    @Query() query: Record<string, unknown>,
  ) {
    const nren = await this.nrens.get(req.principal!, idParam(id));
    res.render('nrens/show', {
      title: nren.name,
      nren: nrenView(nren),
      productIds: await this.productIds(nren),
      organisations: await this.organisations.list(req.principal!, pageRequest(query), nren.id),
      people: await this.people.list(req.principal!, { nrenId: nren.id }),
      invitations: await this.people.listInvitations(req.principal!, { nrenId: nren.id }),
      history: await this.audit.history('nren', nren.id),
    });
  }

  // The NREN's own CA product ids, with the catalogue's names.
  private async productIds(nren: Nren) {
    const names = new Map((await this.products.list()).map((p) => [p.code, p.name]));
    return Object.entries(nren.caProductIds).map(([code, caId]) => ({
      code,
      caId,
      name: names.get(code) ?? code,
    }));
  }

  @Get(':id/edit')
  async editForm(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const nren = await this.nrens.get(req.principal!, idParam(id), 'nren.edit');
    res.render('nrens/form', {
      ...(await this.formModel()),
      values: formValues(nren),
      editing: nren.id,
    });
  }

  @Post(':id')
  async update(
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const nren = await this.nrens.get(req.principal!, idParam(id), 'nren.edit');
    await submitForm(req, res, this.i18n, {
      save: () => this.nrens.update(req.principal!, nren.id, body, actorOf(req)),
      then: () => `/nrens/${nren.id}`,
      view: 'nrens/form',
      model: async () => ({
        ...(await this.formModel()),
        editing: nren.id,
        values: { caPasswordSet: nren.caPasswordEnc !== null },
      }),
    });
  }
}
