import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { submitForm } from '../common/forms.js';
import { ParseIdPipe } from '../common/ids.js';
import { actorOf } from '../common/request.js';
import { I18nService } from '../i18n/i18n.service.js';
import { OrganisationsService } from './organisations.service.js';

@Controller('departments')
export class DepartmentsController {
  constructor(
    private readonly organisations: OrganisationsService,
    private readonly i18n: I18nService,
  ) {}

  @Get(':id/edit')
  async editForm(@Param('id', ParseIdPipe) id: number, @Req() req: Request, @Res() res: Response) {
    const d = await this.organisations.getDepartment(req.principal!, id, 'department.edit');
    res.render('departments/form', { department: d, values: d });
  }

  @Post(':id')
  async update(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const d = await this.organisations.getDepartment(req.principal!, id, 'department.edit');
    await submitForm(req, res, this.i18n, {
      save: () => this.organisations.updateDepartment(req.principal!, d.id, body, actorOf(req)),
      then: () => `/departments/${d.id}`,
      view: 'departments/form',
      model: () => ({ department: d }),
    });
  }
}
