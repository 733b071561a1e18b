import { Controller, Get, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AuditService } from './audit/audit.service.js';
import { OrganisationsService } from './organisations/organisations.service.js';
import { PeopleService } from './people/people.service.js';

@Controller()
export class HomeController {
  constructor(
    private readonly audit: AuditService,
    private readonly organisations: OrganisationsService,
    private readonly people: PeopleService,
  ) {}

  @Get()
  @Render('home/index')
  async index(@Req() req: Request) {
    const principal = req.principal!;
    const departments = await this.organisations.myDepartments(principal);
    return {
      roles: await this.people.rolesOf(principal),
      canRequest: departments.length > 0,
      departments,
      recent: await this.audit.forActor(principal.userId, 10),
    };
  }
}
