import { Body, Controller, Get, Param, Patch, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ParseIdPipe } from '../common/ids.js';
import { pageRequest } from '../common/paging.js';
import { actorOf } from '../common/request.js';
import type { Domain } from './domain.entity.js';
import { DomainsService } from './domains.service.js';

function view(d: Domain, extra: Record<string, unknown> = {}) {
  const { emailTokenHash: _h, organisation: _o, delegations: _d, ...rest } = d;
  return { ...rest, ...extra };
}

@Controller('api/v1')
export class DomainsApiController {
  constructor(private readonly domains: DomainsService) {}

  @Get('organisations/:id/domains')
  async list(
    @Param('id', ParseIdPipe) id: number,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
  ) {
    const page = await this.domains.list(req.principal!, id, pageRequest(query, 100));
    return { ...page, items: page.items.map((d) => view(d)) };
  }

  @Post('organisations/:id/domains')
  async create(@Param('id', ParseIdPipe) id: number, @Body() body: unknown, @Req() req: Request) {
    const d = await this.domains.register(req.principal!, id, body, actorOf(req));
    return view(d, { status: this.domains.stateOf(d) });
  }

  @Get('domains/:id')
  async get(@Param('id', ParseIdPipe) id: number, @Req() req: Request) {
    const detail = await this.domains.get(req.principal!, id);
    return view(detail.domain, {
      status: detail.state,
      departmentIds: detail.departmentIds,
      challenges: detail.challenges,
      emailAddresses: detail.emailAddresses,
    });
  }

  // Wildcards and delegation; left-out fields keep their value; `version` is required.
  @Patch('domains/:id')
  async update(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
  ) {
    const d = await this.domains.update(req.principal!, id, body, actorOf(req), 'merge');
    return this.get(d.id, req);
  }

  @Post('domains/:id/check')
  async check(@Param('id', ParseIdPipe) id: number, @Body() body: unknown, @Req() req: Request) {
    const { domain, outcome } = await this.domains.check(req.principal!, id, body, actorOf(req));
    return { outcome, domain: view(domain, { status: this.domains.stateOf(domain) }) };
  }

  @Post('domains/:id/validation-email')
  async email(@Param('id', ParseIdPipe) id: number, @Body() body: unknown, @Req() req: Request) {
    return {
      sentTo: await this.domains.sendValidationEmail(
        req.principal!,
        id,
        body,
        actorOf(req),
        req.lang,
      ),
    };
  }

  @Post('domains/:id/manual-validation')
  async manual(@Param('id', ParseIdPipe) id: number, @Body() body: unknown, @Req() req: Request) {
    const d = await this.domains.validateManually(req.principal!, id, body, actorOf(req));
    return view(d, { status: this.domains.stateOf(d) });
  }
}
