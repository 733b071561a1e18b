import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ParseIdPipe } from '../common/ids.js';
import type { Request, Response } from 'express';
import { actorOf } from '../common/request.js';
import { safeNext } from '../sessions/session-helpers.js';
import { PeopleService } from './people.service.js';

// Taking a role away, from the people lists of NREN, organisation and department pages, and
// resetting someone's second factor.
@Controller('people')
export class RolesController {
  constructor(private readonly people: PeopleService) {}

  @Post(':userId/roles/remove')
  async remove(
    @Param('userId') userId: string,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await this.people.removeRole(req.principal!, { ...body, userId }, actorOf(req));
    req.session.flash = { kind: 'info', key: 'ui.people.roleRemoved' };
    res.redirect(303, safeNext(body.back));
  }

  @Get(':id/second-factor')
  async secondFactor(
    @Param('id', ParseIdPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    res.render('people/second-factor', {
      person: await this.people.secondFactorOf(req.principal!, id),
    });
  }

  @Post(':id/second-factor/reset')
  async resetSecondFactor(
    @Param('id', ParseIdPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await this.people.resetSecondFactor(req.principal!, id, actorOf(req));
    req.session.flash = { kind: 'info', key: 'ui.people.secondFactorWasReset' };
    res.redirect(303, `/people/${id}/second-factor`);
  }
}
