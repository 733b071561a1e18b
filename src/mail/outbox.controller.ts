import { Controller, Get, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { I18nService } from '../i18n/i18n.service.js';
import { MailService, type OutboxPage } from './mail.service.js';
import { ParseIdPipe } from '../common/ids.js';

export function pageNumber(value: unknown): number {
  return typeof value === 'string' && /^[1-9]\d{0,6}$/.test(value) ? Number(value) : 1;
}

function pager(result: OutboxPage) {
  const href = (page: number) => `/admin/outbox?page=${page}`;
  return {
    page: result.page,
    pages: result.pages,
    previous: result.page > 1 ? href(result.page - 1) : null,
    next: result.page < result.pages ? href(result.page + 1) : null,
  };
}

// For platform administrators: what the RA has queued and sent. On embedded defaults
// (MAIL_TRANSPORT=outbox) this is where e-mail ends up.
@Controller('admin/outbox')
export class OutboxController {
  constructor(
    private readonly mail: MailService,
    private readonly i18n: I18nService,
  ) {}

  @Get()
  @Render('admin/outbox')
  async list(@Query('page') page: unknown, @Req() req: Request) {
    const result = await this.mail.outbox(req.principal!, { page: pageNumber(page) });
    return {
      title: this.i18n.t(req.lang, 'mail.outbox.title'),
      messages: result.items,
      total: result.total,
      pager: result.pages > 1 ? pager(result) : null,
    };
  }

  @Get(':id')
  @Render('admin/outbox-message')
  async show(@Param('id', ParseIdPipe) id: number, @Req() req: Request) {
    const message = await this.mail.outboxMessage(req.principal!, id);
    return {
      title: this.i18n.t(req.lang, 'mail.message.title', { id: message.id }),
      message,
    };
  }

  @Post('test')
  async sendTest(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.mail.sendTest(req.principal!, req.lang);
    req.session.flash = { kind: 'info', key: 'mail.outbox.testQueued' };
    res.redirect(303, '/admin/outbox');
  }
}
