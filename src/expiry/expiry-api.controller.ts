import { Body, Controller, Get, HttpCode, Param, Put, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ParseIdPipe } from '../common/ids.js';
import { actorOf } from '../common/request.js';
import { ExpirySettingsService } from './expiry-settings.service.js';

@Controller('api/v1')
export class ExpiryApiController {
  constructor(private readonly settings: ExpirySettingsService) {}

  @Get('certificates/:id/reminders')
  async log(@Param('id', ParseIdPipe) id: number, @Req() req: Request) {
    const rows = await this.settings.log(req.principal!, id);
    return {
      items: rows.map((r) => ({
        thresholdDays: r.thresholdDays,
        recipient: r.recipient,
        outcome: r.outcome,
        mailId: r.mailId,
        at: r.createdAt,
      })),
    };
  }

  @Get('certificates/:id/reminder-settings')
  get(@Param('id', ParseIdPipe) id: number, @Req() req: Request) {
    return this.settings.settings(req.principal!, id);
  }

  @Put('certificates/:id/reminder-settings')
  put(@Param('id', ParseIdPipe) id: number, @Body() body: unknown, @Req() req: Request) {
    return this.settings.setSettings(req.principal!, id, body, actorOf(req));
  }

  @Get('nrens/:id/reminder-days')
  async nrenDays(@Param('id', ParseIdPipe) id: number, @Req() req: Request) {
    return { days: await this.settings.policy(req.principal!, 'nren', id) };
  }

  @Put('nrens/:id/reminder-days')
  @HttpCode(200)
  async setNrenDays(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Req() req: Request,
  ) {
    return { days: await this.settings.setPolicy(req.principal!, 'nren', id, body, actorOf(req)) };
  }

  @Get('organisations/:id/reminder-days')
  async organisationDays(@Param('id', ParseIdPipe) id: number, @Req() req: Request) {
    return { days: await this.settings.policy(req.principal!, 'organisation', id) };
  }

  @Put('organisations/:id/reminder-days')
  @HttpCode(200)
  async setOrganisationDays(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Req() req: Request,
  ) {
    return {
      days: await this.settings.setPolicy(req.principal!, 'organisation', id, body, actorOf(req)),
    };
  }
}
