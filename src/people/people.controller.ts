import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ROLES } from '../accounts/role-grant.entity.js';
import { formFailure, submitForm } from '../common/forms.js';
import { Public } from '../common/public.decorator.js';
import { actorOf } from '../common/request.js';
import { I18nService } from '../i18n/i18n.service.js';
import { LANGUAGES } from '../i18n/languages.js';
import { safeNext, saveSession, startSession } from '../sessions/session-helpers.js';
import { Clock } from '../common/clock.js';
import { PeopleService } from './people.service.js';

@Controller('invitations')
export class PeopleController {
  constructor(
    private readonly people: PeopleService,
    private readonly i18n: I18nService,
    private readonly clock: Clock,
  ) {}

  @Get('new')
  newForm(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    res.render('people/invite', {
      roles: ROLES.filter((r) => r !== 'platform-admin'),
      languages: LANGUAGES,
      values: {
        role: query.role,
        scopeId: query.scopeId,
        language: req.lang,
        back: safeNext(query.back),
      },
    });
  }

  @Post()
  async invite(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    // The short form on organisation and department pages sends role and scope as one value.
    if (typeof body.roleScope === 'string') {
      const [role, scopeId] = body.roleScope.split(':');
      Object.assign(body, { role, scopeId });
    }
    await submitForm(req, res, this.i18n, {
      save: () => this.people.invite(req.principal!, body, actorOf(req), req.lang),
      then: () => safeNext(body.back),
      flash: 'people.invite.sent',
      view: 'people/invite',
      model: () => ({ roles: ROLES.filter((r) => r !== 'platform-admin'), languages: LANGUAGES }),
    });
  }

  // The token travels as a path segment, which the request log redacts; ?token= is what
  // e-mails sent before that carried.
  @Public()
  @Get(['accept', 'accept/:token'])
  async acceptForm(
    @Param('token') fromPath: string | undefined,
    @Query('token') fromQuery: string | undefined,
    @Res() res: Response,
  ) {
    const token = fromPath ?? fromQuery;
    const invitation = await this.people.findOpen(String(token ?? ''));
    res.render('people/accept', {
      invitation,
      token,
      existing: await this.people.accountExists(invitation.email),
      values: {},
    });
  }

  @Public()
  @Post('accept')
  async accept(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const token = typeof body.token === 'string' ? body.token : '';
    const invitation = await this.people.findOpen(token);
    try {
      const user = await this.people.accept(token, body, req.principal, req.ip);
      if (!req.principal) {
        await startSession(req, user.id, this.clock.now().getTime());
      }
      req.session.flash = { kind: 'info', key: 'people.accept.done' };
      await saveSession(req);
      res.redirect(303, '/');
    } catch (err) {
      const failure = formFailure(err, req, this.i18n);
      res.status(failure.status).render('people/accept', {
        invitation,
        token,
        existing: await this.people.accountExists(invitation.email),
        values: { displayName: body.displayName },
        ...failure,
      });
    }
  }
}
