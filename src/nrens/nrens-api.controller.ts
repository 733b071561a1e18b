import { Body, Controller, Get, Param, Patch, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ParseIdPipe } from '../common/ids.js';
import { pageRequest } from '../common/paging.js';
import { actorOf } from '../common/request.js';
import { nrenView, NrensService } from './nrens.service.js';

@Controller('api/v1/nrens')
export class NrensApiController {
  constructor(private readonly nrens: NrensService) {}

  @Get()
  async list(@Req() req: Request, @Query() query: Record<string, unknown>) {
    const page = await this.nrens.list(req.principal!, pageRequest(query, 100));
    return { ...page, items: page.items.map(nrenView) };
  }

  @Post()
  async create(@Body() body: unknown, @Req() req: Request) {
    return nrenView(await this.nrens.create(req.principal!, body, actorOf(req)));
  }

  @Get(':id')
  async get(@Param('id', ParseIdPipe) id: number, @Req() req: Request) {
    return nrenView(await this.nrens.get(req.principal!, id));
  }

  // Fields left out keep their value; `version` is required (optimistic lock).
  @Patch(':id')
  async update(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
  ) {
    return nrenView(await this.nrens.update(req.principal!, id, body, actorOf(req), 'merge'));
  }
}
