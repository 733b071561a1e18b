import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuditService } from '../audit/audit.service.js';
import { ParseIdPipe } from '../common/ids.js';
import { pageRequest } from '../common/paging.js';
import { nrenView, NrensService } from '../nrens/nrens.service.js';
import { OrganisationsService } from '../organisations/organisations.service.js';
import { PeopleService } from '../people/people.service.js';

// An NREN's page: the NREN, its organisations, its administrators and its history.
@Controller('nrens')
export class NrenPageController {
  constructor(
    private readonly nrens: NrensService,
    private readonly organisations: OrganisationsService,
    private readonly people: PeopleService,
    private readonly audit: AuditService,
  ) {}

  @Get(':id')
  async show(
    @Param('id', ParseIdPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
    @Query() query: Record<string, unknown>,
  ) {
    const nren = await this.nrens.get(req.principal!, id);
    res.render('nrens/show', {
      title: nren.name,
      nren: nrenView(nren),
      organisations: await this.organisations.list(req.principal!, pageRequest(query), nren.id),
      people: await this.people.list(req.principal!, { nrenId: nren.id }),
      invitations: await this.people.listInvitations(req.principal!, { nrenId: nren.id }),
      history: await this.audit.history('nren', nren.id),
    });
  }
}
