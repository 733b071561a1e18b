import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { can, canInvite } from '../access/access.js';
import { AuditService } from '../audit/audit.service.js';
import { idParam, submitForm } from '../common/forms.js';
import { actorOf } from '../common/request.js';
import { DomainsService } from '../domains/domains.service.js';
import { I18nService } from '../i18n/i18n.service.js';
import { PeopleService } from '../people/people.service.js';
import { OrganisationsService, placeOfOrganisation } from './organisations.service.js';

@Controller('departments')
export class DepartmentsController {
  constructor(
    private readonly organisations: OrganisationsService,
    private readonly domains: DomainsService,
    private readonly people: PeopleService,
    private readonly audit: AuditService,
    private readonly i18n: I18nService,
  ) {}

  @Get(':id')
  async show(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const p = req.principal!;
    const d = await this.organisations.getDepartment(p, idParam(id));
    const place = { ...placeOfOrganisation(d.organisation), departmentId: d.id };
    const mayPeople = can(p, 'people.view', place);
    res.render('departments/show', {
      title: d.name,
      department: d,
      domains: await this.domains.forDepartment(d.id),
      people: mayPeople ? await this.people.list(p, { departmentId: d.id }) : null,
      invitations: mayPeople ? await this.people.listInvitations(p, { departmentId: d.id }) : [],
      history: await this.audit.history('department', d.id),
      may: {
        edit: can(p, 'department.edit', place),
        viewOrganisation: can(p, 'organisation.view', place),
      },
      inviteScopes: (['drao', 'requester'] as const)
        .filter((role) => canInvite(p, role, place))
        .map((role) => ({ role, scopeId: d.id, label: d.name })),
    });
  }

  @Get(':id/edit')
  async editForm(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const d = await this.organisations.getDepartment(
      req.principal!,
      idParam(id),
      'department.edit',
    );
    res.render('departments/form', { department: d, values: d });
  }

  @Post(':id')
  async update(
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const d = await this.organisations.getDepartment(
      req.principal!,
      idParam(id),
      'department.edit',
    );
    await submitForm(req, res, this.i18n, {
      save: () => this.organisations.updateDepartment(req.principal!, d.id, body, actorOf(req)),
      then: () => `/departments/${d.id}`,
      view: 'departments/form',
      model: () => ({ department: d }),
    });
  }
}
