import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { can, canInvite } from '../access/access.js';
import { placeOfDepartment } from '../access/places.js';
import { ApprovalsService } from '../approvals/approvals.service.js';
import { AuditService } from '../audit/audit.service.js';
import { submitOnPage } from '../common/forms.js';
import { actorOf } from '../common/request.js';
import { I18nService } from '../i18n/i18n.service.js';
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
    private readonly approvals: ApprovalsService,
    private readonly i18n: I18nService,
  ) {}

  @Get(':id')
  async show(@Param('id', ParseIdPipe) id: number, @Req() req: Request, @Res() res: Response) {
    await this.renderShow(id, req, res);
  }

  // Automatic approval for this department (RAO or NREN administrator), confirmed on the page.
  @Post(':id/auto-approval')
  async autoApproval(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await submitOnPage(req, res, this.i18n, {
      save: () => this.approvals.setAutoApproval(req.principal!, id, body, actorOf(req)),
      then: () => `/departments/${id}#approval-policy`,
      flash: (d) => ({
        kind: 'info',
        key: d.autoApprove ? 'approvals.policy.autoApprovalOn' : 'approvals.policy.autoApprovalOff',
      }),
      page: (failure) => this.renderShow(id, req, res, { policyForm: failure }, failure.status),
    });
  }

  private async renderShow(
    id: number,
    req: Request,
    res: Response,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const p = req.principal!;
    const d = await this.organisations.getDepartment(p, id);
    const place = placeOfDepartment(d);
    const mayPeople = can(p, 'people.view', place);
    res.status(status).render('departments/show', {
      title: d.name,
      department: d,
      domains: await this.domains.forDepartment(d.id),
      people: mayPeople ? await this.people.list(p, { departmentId: d.id }) : null,
      invitations: mayPeople ? await this.people.listInvitations(p, { departmentId: d.id }) : [],
      history: await this.audit.history('department', d.id),
      may: {
        edit: can(p, 'department.edit', place),
        viewOrganisation: can(p, 'organisation.view', place),
        autoApproval: can(p, 'department.auto-approval', place),
      },
      inviteScopes: (['drao', 'requester'] as const)
        .filter((role) => canInvite(p, role, place))
        .map((role) => ({ role, scopeId: d.id, label: d.name })),
      ...extra,
    });
  }
}
