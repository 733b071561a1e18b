import { Controller, Get, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AuditService } from './audit/audit.service.js';

@Controller()
export class HomeController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Render('home/index')
  async index(@Req() req: Request) {
    const principal = req.principal!;
    return {
      grants: principal.grants,
      recent: await this.audit.forActor(principal.userId, 10),
    };
  }
}
