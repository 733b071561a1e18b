import { Body, Controller, Get, Param, Patch, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ParseIdPipe, queryId } from '../common/ids.js';
import { pageRequest } from '../common/paging.js';
import { actorOf } from '../common/request.js';
import type { Organisation } from './organisation.entity.js';
import { OrganisationsService } from './organisations.service.js';

@Controller('api/v1')
export class OrganisationsApiController {
  constructor(private readonly organisations: OrganisationsService) {}

  private view(o: Organisation) {
    const { nren: _nren, ...rest } = o;
    return { ...rest, identity: this.organisations.identityStatus(o) };
  }

  @Get('organisations')
  async list(@Req() req: Request, @Query() query: Record<string, unknown>) {
    const nrenId = queryId(query.nrenId);
    const page = await this.organisations.list(req.principal!, pageRequest(query, 100), nrenId);
    return { ...page, items: page.items.map((o) => this.view(o)) };
  }

  @Post('organisations')
  async create(@Body() body: unknown, @Req() req: Request) {
    return this.view(await this.organisations.create(req.principal!, body, actorOf(req)));
  }

  @Get('organisations/:id')
  async get(@Param('id', ParseIdPipe) id: number, @Req() req: Request) {
    return this.view(await this.organisations.get(req.principal!, id));
  }

  // Fields left out keep their value; `version` is required (optimistic lock).
  @Patch('organisations/:id')
  async update(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
  ) {
    return this.view(
      await this.organisations.update(req.principal!, id, body, actorOf(req), 'merge'),
    );
  }

  @Post('organisations/:id/identity-validation')
  async validateIdentity(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Req() req: Request,
  ) {
    return this.view(
      await this.organisations.validateIdentity(req.principal!, id, body, actorOf(req)),
    );
  }

  @Get('organisations/:id/departments')
  departments(@Param('id', ParseIdPipe) id: number, @Req() req: Request) {
    return this.organisations.listDepartments(req.principal!, id);
  }

  @Post('organisations/:id/departments')
  createDepartment(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Req() req: Request,
  ) {
    return this.organisations.createDepartment(req.principal!, id, body, actorOf(req));
  }

  @Get('departments/:id')
  async department(@Param('id', ParseIdPipe) id: number, @Req() req: Request) {
    const { organisation: _o, ...d } = await this.organisations.getDepartment(req.principal!, id);
    return d;
  }

  @Patch('departments/:id')
  async updateDepartment(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
  ) {
    const { organisation: _o, ...d } = await this.organisations.updateDepartment(
      req.principal!,
      id,
      body,
      actorOf(req),
      'merge',
    );
    return d;
  }
}
