import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { can, canInvite } from '../access/access.js';
import { placeOfDepartment, placeOfOrganisation } from '../access/places.js';
import { ApprovalsService } from '../approvals/approvals.service.js';
import { historyPage } from '../audit/audit-history.js';
import { AuditService } from '../audit/audit.service.js';
import { submitOnPage } from '../common/forms.js';
import { ParseIdPipe } from '../common/ids.js';
import { pageRequest } from '../common/paging.js';
import { actorOf } from '../common/request.js';
import { DomainsService } from '../domains/domains.service.js';
import { I18nService } from '../i18n/i18n.service.js';
import { OrganisationsService } from '../organisations/organisations.service.js';
import { PeopleService } from '../people/people.service.js';
import { withinOrganisation } from './audit-scope.js';

// An organisation's page: its identity, departments, domains, people and history. The
// department form lives on it, so a failed one shows this page again.
@Controller('organisations')
export class OrganisationPageController {
  constructor(
    private readonly organisations: OrganisationsService,
    private readonly domains: DomainsService,
    private readonly people: PeopleService,
    private readonly audit: AuditService,
    private readonly approvals: ApprovalsService,
    private readonly i18n: I18nService,
  ) {}

  @Get(':id')
  async show(
    @Param('id', ParseIdPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
    @Query() query: Record<string, unknown>,
  ) {
    await this.renderShow(id, req, res, query);
  }

  @Post(':id/departments')
  async createDepartment(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await submitOnPage(req, res, this.i18n, {
      save: () => this.organisations.createDepartment(req.principal!, id, body, actorOf(req)),
      then: () => `/organisations/${id}#departments`,
      page: (failure) =>
        this.renderShow(
          id,
          req,
          res,
          {},
          { departmentForm: { ...failure, values: body } },
          failure.status,
        ),
    });
  }

  @Get(':id/history')
  async history(
    @Param('id', ParseIdPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
    @Query() query: Record<string, unknown>,
  ) {
    const o = await this.organisations.get(req.principal!, id);
    res.render('audit/history', {
      name: o.name,
      back: `/organisations/${o.id}`,
      showObject: true,
      ...(await historyPage(
        this.audit,
        `/organisations/${o.id}/history`,
        query,
        null,
        withinOrganisation(o.id),
      )),
    });
  }

  // Self-approval for this organisation (an NREN administrator's switch), confirmed on the page.
  @Post(':id/self-approval')
  async selfApproval(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await submitOnPage(req, res, this.i18n, {
      save: () => this.approvals.setSelfApproval(req.principal!, id, body, actorOf(req)),
      then: () => `/organisations/${id}#approval-policy`,
      flash: (o) => ({
        kind: 'info',
        key: o.selfApprovalAllowed
          ? 'approvals.policy.selfApprovalOn'
          : 'approvals.policy.selfApprovalOff',
      }),
      page: (failure) => this.renderShow(id, req, res, {}, { policyForm: failure }, failure.status),
    });
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
      history: await this.audit.history('organisation', o.id, 10),
      historyHref: `/organisations/${o.id}/history`,
      may: {
        edit: can(p, 'organisation.edit', place),
        validateIdentity: can(p, 'organisation.validate-identity', place),
        createDepartment: can(p, 'department.create', place),
        createDomain: can(p, 'domain.create', place),
        inviteRao: canInvite(p, 'rao', place),
        selfApproval: can(p, 'organisation.self-approval', place),
      },
      inviteScopes: [
        ...(canInvite(p, 'rao', place) ? [{ role: 'rao', scopeId: o.id, label: o.name }] : []),
        ...departments.flatMap((d) =>
          (['drao', 'requester'] as const)
            .filter((role) => canInvite(p, role, placeOfDepartment({ ...d, organisation: o })))
            .map((role) => ({ role, scopeId: d.id, label: d.name })),
        ),
      ],
      ...extra,
    });
  }
}
