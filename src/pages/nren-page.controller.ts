import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuditService } from '../audit/audit.service.js';
import { ParseIdPipe } from '../common/ids.js';
import { pageRequest } from '../common/paging.js';
import { nrenView, NrensService } from '../nrens/nrens.service.js';
import { OrganisationsService } from '../organisations/organisations.service.js';
import { PeopleService } from '../people/people.service.js';
import { ProductsService } from '../products/products.service.js';
import type { Nren } from '../nrens/nren.entity.js';

// An NREN's page: the NREN, its organisations, its administrators and its history.
@Controller('nrens')
export class NrenPageController {
  constructor(
    private readonly nrens: NrensService,
    private readonly organisations: OrganisationsService,
    private readonly people: PeopleService,
    private readonly audit: AuditService,
    private readonly products: ProductsService,
  ) {}

  // The NREN's own CA product ids, with the catalogue's names.
  private async productIds(nren: Nren) {
    const names = new Map((await this.products.list()).map((p) => [p.code, p.name]));
    return Object.entries(nren.caProductIds).map(([code, caId]) => ({
      code,
      caId,
      name: names.get(code) ?? code,
    }));
  }

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
      productIds: await this.productIds(nren),
      organisations: await this.organisations.list(req.principal!, pageRequest(query), nren.id),
      people: await this.people.list(req.principal!, { nrenId: nren.id }),
      invitations: await this.people.listInvitations(req.principal!, { nrenId: nren.id }),
      history: await this.audit.history('nren', nren.id),
    });
  }
}
