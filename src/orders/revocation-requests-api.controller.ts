import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { RevocationRequest } from '../certificates/revocation-request.entity.js';
import { ParseIdPipe } from '../common/ids.js';
import { parseInput } from '../common/input.js';
import { pageRequest } from '../common/paging.js';
import { actorOf } from '../common/request.js';
import {
  askRevocationInput,
  refuseRevocationInput,
  RevocationRequestsService,
} from './revocation-requests.service.js';

export function revocationRequestJson(r: RevocationRequest) {
  return {
    id: r.id,
    certificateId: r.certificateId,
    state: r.state,
    reason: r.reason,
    explanation: r.explanation,
    requester: r.requesterLabel,
    decidedBy: r.decidedByLabel,
    decidedAt: r.decidedAt ? r.decidedAt.toISOString() : null,
    refusalReason: r.refusalReason,
    createdAt: r.createdAt.toISOString(),
    version: r.version,
  };
}

// Asking for a certificate's revocation, and deciding on it.
@Controller('api/v1')
export class RevocationRequestsApiController {
  constructor(private readonly requests: RevocationRequestsService) {}

  // { reason, explanation }: 201 with the request; for keyCompromise, revokedAtOnce says
  // whether the CA revoked it already (else the approvers, told by e-mail, will).
  @Post('certificates/:id/revocation-requests')
  async ask(@Param('id', ParseIdPipe) id: number, @Body() body: unknown, @Req() req: Request) {
    const outcome = await this.requests.ask(
      req.principal!,
      actorOf(req),
      id,
      parseInput(askRevocationInput, body),
    );
    return { ...revocationRequestJson(outcome.request), revokedAtOnce: outcome.revokedAtOnce };
  }

  @Get('revocation-requests')
  async open(@Query() query: Record<string, unknown>, @Req() req: Request) {
    const page = await this.requests.open(req.principal!, pageRequest(query, 50));
    return { ...page, items: page.items.map(revocationRequestJson) };
  }

  @Post('revocation-requests/:id/approve')
  @HttpCode(200)
  async approve(@Param('id', ParseIdPipe) id: number, @Req() req: Request) {
    return revocationRequestJson(await this.requests.approve(req.principal!, actorOf(req), id));
  }

  // { reason }: shown to the person who asked.
  @Post('revocation-requests/:id/refuse')
  @HttpCode(200)
  async refuse(@Param('id', ParseIdPipe) id: number, @Body() body: unknown, @Req() req: Request) {
    const { reason } = parseInput(refuseRevocationInput, body);
    return revocationRequestJson(
      await this.requests.refuse(req.principal!, actorOf(req), id, reason),
    );
  }
}
