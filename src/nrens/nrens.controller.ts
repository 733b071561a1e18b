import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { submitForm } from '../common/forms.js';
import { ParseIdPipe } from '../common/ids.js';
import { pageRequest } from '../common/paging.js';
import { actorOf } from '../common/request.js';
import { I18nService } from '../i18n/i18n.service.js';
import { LANGUAGES } from '../i18n/languages.js';
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
    private readonly i18n: I18nService,
  ) {}

  @Get()
  async list(@Req() req: Request, @Res() res: Response, @Query() query: Record<string, unknown>) {
    res.render('nrens/list', {
      title: this.i18n.t(req.lang, 'nrens.title'),
      list: await this.nrens.list(req.principal!, pageRequest(query)),
    });
  }

  @Get('new')
  newForm(@Req() req: Request, @Res() res: Response) {
    res.render('nrens/form', {
      languages: LANGUAGES,
      values: { defaultLanguage: req.lang, country: '' },
    });
  }

  @Post()
  async create(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    await submitForm(req, res, this.i18n, {
      save: () => this.nrens.create(req.principal!, body, actorOf(req)),
      then: (nren) => `/nrens/${nren.id}`,
      view: 'nrens/form',
      model: () => ({ languages: LANGUAGES }),
    });
  }

  @Get(':id/edit')
  async editForm(@Param('id', ParseIdPipe) id: number, @Req() req: Request, @Res() res: Response) {
    const nren = await this.nrens.get(req.principal!, id, 'nren.edit');
    res.render('nrens/form', { languages: LANGUAGES, values: formValues(nren), editing: nren.id });
  }

  @Post(':id')
  async update(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const nren = await this.nrens.get(req.principal!, id, 'nren.edit');
    await submitForm(req, res, this.i18n, {
      save: () => this.nrens.update(req.principal!, nren.id, body, actorOf(req)),
      then: () => `/nrens/${nren.id}`,
      view: 'nrens/form',
      model: () => ({
        languages: LANGUAGES,
        editing: nren.id,
        values: { caPasswordSet: nren.caPasswordEnc !== null },
      }),
    });
  }
}
