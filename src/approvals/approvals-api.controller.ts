import { Body, Controller, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ParseIdPipe } from '../common/ids.js';
import { parseInput } from '../common/input.js';
import { actorOf } from '../common/request.js';
import { ApprovalsService, bulkInput } from './approvals.service.js';

@Controller('api/v1')
export class ApprovalsApiController {
  constructor(private readonly approvals: ApprovalsService) {}

  // NREN administrators: let the people of one organisation approve their own requests.
  @Put('organisations/:id/self-approval')
  async selfApproval(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Req() req: Request,
  ) {
    const o = await this.approvals.setSelfApproval(req.principal!, id, body, actorOf(req));
    return { id: o.id, selfApprovalAllowed: o.selfApprovalAllowed, version: o.version };
  }

  // RAOs: automatic approval of clean requests for one department.
  @Put('departments/:id/auto-approval')
  async autoApproval(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Req() req: Request,
  ) {
    const d = await this.approvals.setAutoApproval(req.principal!, id, body, actorOf(req));
    return { id: d.id, autoApprove: d.autoApprove, version: d.version };
  }

  @Post('requests/approve-many')
  @HttpCode(200)
  async bulk(@Body() body: unknown, @Req() req: Request) {
    const { requests } = parseInput(bulkInput, body);
    const results = await this.approvals.bulkApprove(
      { principal: req.principal!, actor: actorOf(req) },
      requests,
    );
    return { results };
  }

  @Get('substitutes')
  async substitutes(@Req() req: Request) {
    return { items: await this.approvals.substitutions(req.principal!) };
  }

  @Post('substitutes')
  async appoint(@Body() body: unknown, @Req() req: Request) {
    return this.approvals.appoint(req.principal!, body, actorOf(req));
  }

  @Post('substitutes/:id/end')
  @HttpCode(204)
  async end(@Param('id', ParseIdPipe) id: number, @Req() req: Request) {
    await this.approvals.endSubstitution(req.principal!, id, actorOf(req));
  }
}
