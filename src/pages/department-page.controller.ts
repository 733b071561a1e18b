import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { can, canInvite } from '../access/access.js';
import { placeOfDepartment } from '../access/places.js';
import { AuditService } from '../audit/audit.service.js';
import { DomainsService } from '../domains/domains.service.js';
import { OrganisationsService } from '../organisations/organisations.service.js';
import { PeopleService } from '../people/people.service.js';
import { ParseIdPipe } from '../common/ids.js';

// A department's page: the domains delegated to it, its people and its history.
@Controller('departments')
export class DepartmentPageController {
  constructor(
    private readonly organisations: OrganisationsService,
    private readonly domains: DomainsService,
    private readonly people: PeopleService,
    private readonly audit: AuditService,
  ) {}

  @Get(':id')
  async show(@Param('id', ParseIdPipe) id: number, @Req() req: Request, @Res() res: Response) {
    const p = req.principal!;
    const d = await this.organisations.getDepartment(p, id);
    const place = placeOfDepartment(d);
    const mayPeople = can(p, 'people.view', place);
    res.render('departments/show', {
      title: d.name,
      department: d,
      domains: await this.domains.forDepartment(d.id),
      people: mayPeople ? await this.people.list(p, { departmentId: d.id }) : null,
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
}
