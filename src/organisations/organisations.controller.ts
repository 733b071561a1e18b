import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { can } from '../access/access.js';
import { placeOfNren } from '../access/places.js';
import { submitForm } from '../common/forms.js';
import { ParseIdPipe, queryId } from '../common/ids.js';
import { pageRequest } from '../common/paging.js';
import { actorOf } from '../common/request.js';
import { I18nService } from '../i18n/i18n.service.js';
import { NrensService } from '../nrens/nrens.service.js';
import type { Organisation } from './organisation.entity.js';
import { OrganisationsService } from './organisations.service.js';

function formValues(o: Organisation) {
  return {
    ...o,
    certificateContacts: o.certificateContacts.join('\n'),
    allowedProducts: o.allowedProducts.join(' '),
  };
}

@Controller('organisations')
export class OrganisationsController {
  constructor(
    private readonly organisations: OrganisationsService,
    private readonly nrens: NrensService,
    private readonly i18n: I18nService,
  ) {}

  @Get()
  async list(@Req() req: Request, @Res() res: Response, @Query() query: Record<string, unknown>) {
    const p = req.principal!;
    res.render('organisations/list', {
      title: this.i18n.t(req.lang, 'organisations.title'),
      list: await this.organisations.list(p, pageRequest(query)),
      canCreate: (await this.nrens.listForChooser(p)).some((n) =>
        can(p, 'organisation.create', placeOfNren(n)),
      ),
    });
  }

  @Get('new')
  async newForm(@Req() req: Request, @Res() res: Response, @Query('nren') nren?: string) {
    res.render('organisations/form', {
      nrens: await this.nrens.listForChooser(req.principal!),
      values: { nrenId: queryId(nren), country: '' },
    });
  }

  @Post()
  async create(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    await submitForm(req, res, this.i18n, {
      save: () => this.organisations.create(req.principal!, body, actorOf(req)),
      then: (o) => `/organisations/${o.id}`,
      view: 'organisations/form',
      model: async () => ({ nrens: await this.nrens.listForChooser(req.principal!) }),
    });
  }

  @Get(':id/edit')
  async editForm(@Param('id', ParseIdPipe) id: number, @Req() req: Request, @Res() res: Response) {
    const o = await this.organisations.get(req.principal!, id, 'organisation.edit');
    res.render('organisations/form', { values: formValues(o), editing: o.id });
  }

  @Post(':id')
  async update(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const o = await this.organisations.get(req.principal!, id, 'organisation.edit');
    await submitForm(req, res, this.i18n, {
      save: () => this.organisations.update(req.principal!, o.id, body, actorOf(req)),
      then: () => `/organisations/${o.id}`,
      view: 'organisations/form',
      model: () => ({ editing: o.id }),
    });
  }

  @Post(':id/identity-validation')
  async validateIdentity(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const o = await this.organisations.validateIdentity(req.principal!, id, body, actorOf(req));
    req.session.flash = { kind: 'info', key: 'organisations.identity.done' };
    res.redirect(303, `/organisations/${o.id}`);
  }
}
