import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ParseIdPipe } from '../common/ids.js';
import { actorOf } from '../common/request.js';
import type { ApiToken } from './api-token.entity.js';
import { AccountsService } from './accounts.service.js';

function tokenView(t: ApiToken) {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    createdAt: t.createdAt,
    lastUsedAt: t.lastUsedAt,
  };
}

@Controller('api/v1')
export class AccountsApiController {
  constructor(private readonly accounts: AccountsService) {}

  @Get('me')
  me(@Req() req: Request) {
    const p = req.principal!;
    return {
      id: p.userId,
      email: p.email,
      displayName: p.displayName,
      language: p.language,
      roles: p.grants,
    };
  }

  @Get('tokens')
  async tokens(@Req() req: Request) {
    return (await this.accounts.listTokens(req.principal!.userId)).map(tokenView);
  }

  @Post('tokens')
  async create(@Body() body: { name?: unknown }, @Req() req: Request) {
    const name = typeof body?.name === 'string' ? body.name : '';
    const created = await this.accounts.createTokenFor(req.principal!.userId, name, actorOf(req));
    return { ...tokenView(created.token), token: created.secret };
  }

  @Delete('tokens/:id')
  @HttpCode(204)
  async revoke(@Param('id', ParseIdPipe) id: number, @Req() req: Request): Promise<void> {
    await this.accounts.revokeToken(req.principal!.userId, id, actorOf(req));
  }
}
