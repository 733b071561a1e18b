import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ParseIdPipe } from '../common/ids.js';
import type { Request } from 'express';
import { queryId } from '../common/ids.js';
import { actorOf } from '../common/request.js';
import type { Invitation } from './invitation.entity.js';
import { PeopleService } from './people.service.js';

function ids(query: Record<string, unknown>) {
  return {
    organisationId: queryId(query.organisationId),
    departmentId: queryId(query.departmentId),
    nrenId: queryId(query.nrenId),
  };
}

function invitationView(i: Invitation) {
  const { tokenHash: _t, ...rest } = i;
  return rest;
}

@Controller('api/v1')
export class PeopleApiController {
  constructor(private readonly people: PeopleService) {}

  @Get('people')
  list(@Query() query: Record<string, unknown>, @Req() req: Request) {
    return this.people.list(req.principal!, ids(query));
  }

  @Get('invitations')
  async invitations(@Query() query: Record<string, unknown>, @Req() req: Request) {
    return (await this.people.listInvitations(req.principal!, ids(query))).map(invitationView);
  }

  @Post('invitations')
  async invite(@Body() body: unknown, @Req() req: Request) {
    return invitationView(await this.people.invite(req.principal!, body, actorOf(req), req.lang));
  }

  // An administrator's reset of someone's second factor (audited); `reset` is false when they
  // had none.
  @Post('people/:id/second-factor/reset')
  @HttpCode(200)
  async resetSecondFactor(@Param('id', ParseIdPipe) id: number, @Req() req: Request) {
    const reset = await this.people.resetSecondFactor(req.principal!, id, actorOf(req));
    return { userId: id, reset };
  }
}
