import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { MailMessage } from './mail-message.entity.js';
import { MailService } from './mail.service.js';
import { pageNumber } from './outbox.controller.js';
import { ParseIdPipe } from '../common/ids.js';

function messageView(m: MailMessage) {
  return {
    id: m.id,
    to: m.toAddress,
    subject: m.subject,
    language: m.language,
    template: m.template,
    status: m.status,
    attempts: m.attempts,
    transport: m.transport,
    createdAt: m.createdAt,
    sentAt: m.sentAt,
    nextAttemptAt: m.nextAttemptAt,
    lastError: m.lastError,
    text: m.textBody,
    html: m.htmlBody,
  };
}

// The outbox for scripts and tests: what was "sent" on embedded defaults can be read back.
@Controller('api/v1/outbox')
export class OutboxApiController {
  constructor(private readonly mail: MailService) {}

  @Get()
  async list(@Query('page') page: unknown, @Query('to') to: unknown, @Req() req: Request) {
    const result = await this.mail.outbox(req.principal!, {
      page: pageNumber(page),
      to: typeof to === 'string' && to !== '' ? to : undefined,
      bodies: true,
    });
    return {
      page: result.page,
      pageSize: result.pageSize,
      pages: result.pages,
      total: result.total,
      items: result.items.map(messageView),
    };
  }

  @Get(':id')
  async show(@Param('id', ParseIdPipe) id: number, @Req() req: Request) {
    return messageView(await this.mail.outboxMessage(req.principal!, id));
  }
}
