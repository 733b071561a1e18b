import { Controller, Get, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AuditService } from './audit/audit.service.js';
import { OrganisationsService } from './organisations/organisations.service.js';

@Controller()
export class HomeController {
  constructor(
    private readonly audit: AuditService,
    private readonly organisations: OrganisationsService,
  ) {}

  @Get()
  @Render('home/index')
  async index(@Req() req: Request) {
    const principal = req.principal!;
    return {
      grants: principal.grants,
      departments: await this.organisations.myDepartments(principal),
      recent: await this.audit.forActor(principal.userId, 10),
    };
  }
}
