import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ROLES, type Role } from '../accounts/role-grant.entity.js';
import { formFailure, submitForm } from '../common/forms.js';
import { Public } from '../common/public.decorator.js';
import { ParseIdPipe } from '../common/ids.js';
import { actorOf } from '../common/request.js';
import { I18nService } from '../i18n/i18n.service.js';
import { LANGUAGES } from '../i18n/languages.js';
import { safeNext, saveSession } from '../sessions/session-helpers.js';
import { SecondFactorService } from '../accounts/second-factor.service.js';
import type { Invitation } from './invitation.entity.js';
import { PeopleService } from './people.service.js';

@Controller('invitations')
export class PeopleController {
  constructor(
    private readonly people: PeopleService,
    private readonly i18n: I18nService,
    private readonly secondFactor: SecondFactorService,
  ) {}

  // First the role, then the place it needs (only places where this person may give it).
  private async inviteModel(req: Request, role: unknown) {
    const offered: Role[] = [];
    for (const r of ROLES) {
      if ((await this.people.invitablePlaces(req.principal!, r)).length) {
        offered.push(r);
      }
    }
    const chosen = offered.find((r) => r === role);
    return {
      roles: offered,
      languages: LANGUAGES,
      chosenRole: chosen,
      places: chosen ? await this.people.invitablePlaces(req.principal!, chosen) : [],
    };
  }

  @Get('new')
  async newForm(
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    res.render('people/invite', {
      ...(await this.inviteModel(req, query.role)),
      values: { role: query.role, scopeId: query.scopeId, back: safeNext(query.back) },
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
      model: () => this.inviteModel(req, body.role),
    });
  }

  @Post(':id/resend')
  async resend(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await this.people.resendInvitation(req.principal!, id, actorOf(req));
    req.session.flash = { kind: 'info', key: 'ui.invitations.resent' };
    res.redirect(303, safeNext(body.back));
  }

  @Post(':id/withdraw')
  async withdraw(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await this.people.withdrawInvitation(req.principal!, id, actorOf(req));
    req.session.flash = { kind: 'info', key: 'ui.invitations.withdrawn' };
    res.redirect(303, safeNext(body.back));
  }

  // The place an invitation is for, as the person accepting it reads it.
  private async placeName(req: Request, invitation: Invitation): Promise<string> {
    const place = await this.people.placeOfScope(invitation.role, invitation.scopeId);
    return place?.name || this.i18n.t(req.lang, 'common.appName');
  }

  // The token travels as a path segment, which the request log redacts; ?token= is what
  // e-mails sent before that carried.
  @Public()
  @Get(['accept', 'accept/:token'])
  async acceptForm(
    @Param('token') fromPath: string | undefined,
    @Query('token') fromQuery: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const token = fromPath ?? fromQuery;
    const invitation = await this.people.findOpen(String(token ?? ''));
    res.render('people/accept', {
      invitation,
      placeName: await this.placeName(req, invitation),
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
      const goTo = req.principal ? '/' : await this.secondFactor.signIn(req, user.id, '/');
      req.session.flash = { kind: 'info', key: 'people.accept.done' };
      await saveSession(req);
      res.redirect(303, goTo);
    } catch (err) {
      const failure = formFailure(err, req, this.i18n);
      res.status(failure.status).render('people/accept', {
        invitation,
        placeName: await this.placeName(req, invitation),
        token,
        existing: await this.people.accountExists(invitation.email),
        values: { displayName: body.displayName },
        ...failure,
      });
    }
  }
}
