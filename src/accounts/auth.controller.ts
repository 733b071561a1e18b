import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, httpStatusOf } from '../common/errors.js';
import { Public } from '../common/public.decorator.js';
import { actorOf } from '../common/request.js';
import { I18nService } from '../i18n/i18n.service.js';
import { AuditService } from '../audit/audit.service.js';
import { destroySession, safeNext, SESSION_COOKIE } from '../sessions/session-helpers.js';
import { AccountsService } from './accounts.service.js';
import { SecondFactorService } from './second-factor.service.js';

interface LoginForm {
  email?: unknown;
  password?: unknown;
  next?: unknown;
}

@Controller()
export class AuthController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly audit: AuditService,
    private readonly i18n: I18nService,
    private readonly secondFactor: SecondFactorService,
  ) {}

  @Public()
  @Get('login')
  loginPage(@Req() req: Request, @Res() res: Response, @Query('next') next?: string): void {
    if (req.principal) {
      return res.redirect(303, safeNext(next));
    }
    res.render('accounts/login', {
      next: safeNext(next),
      loggedOut: 'loggedOut' in req.query,
      expired: 'expired' in req.query,
      notice:
        'resetSent' in req.query
          ? 'ui.password.forgotSent'
          : 'passwordSet' in req.query
            ? 'ui.password.resetDone'
            : null,
    });
  }

  @Public()
  @Post('login')
  async login(@Body() form: LoginForm, @Req() req: Request, @Res() res: Response): Promise<void> {
    const email = typeof form.email === 'string' ? form.email.slice(0, 254) : '';
    const password = typeof form.password === 'string' ? form.password : '';
    const next = safeNext(form.next);
    try {
      const user = await this.accounts.authenticate(email, password, req.ip);
      res.redirect(303, await this.secondFactor.signIn(req, user.id, next));
    } catch (err) {
      if (
        !(err instanceof DomainError) ||
        (err.kind !== 'unauthenticated' && err.kind !== 'rate-limited')
      ) {
        throw err;
      }
      if (err.kind === 'rate-limited') {
        res.setHeader('Retry-After', String(err.params.seconds));
      }
      res.status(httpStatusOf(err.kind)).render('accounts/login', {
        email,
        next,
        error: this.i18n.t(req.lang, `errors.${err.code}`, err.params),
      });
    }
  }

  // The second step of a login, for accounts with a second factor.
  @Public()
  @Get('login/code')
  codePage(@Req() req: Request, @Res() res: Response): void {
    if (req.principal) {
      return res.redirect(303, '/');
    }
    if (!this.secondFactor.pendingUserId(req)) {
      return res.redirect(303, '/login');
    }
    res.render('accounts/login-code', {});
  }

  @Public()
  @Post('login/code')
  async code(@Body('code') code: unknown, @Req() req: Request, @Res() res: Response) {
    try {
      const next = await this.secondFactor.completeSignIn(
        req,
        typeof code === 'string' ? code.slice(0, 64) : '',
      );
      res.redirect(303, next ?? '/login?expired');
    } catch (err) {
      if (
        !(err instanceof DomainError) ||
        (err.code !== 'second_factor_wrong' && err.kind !== 'rate-limited')
      ) {
        throw err;
      }
      if (err.kind === 'rate-limited') {
        res.setHeader('Retry-After', String(err.params.seconds));
      }
      res.status(httpStatusOf(err.kind)).render('accounts/login-code', {
        error: this.i18n.t(req.lang, `errors.${err.code}`, err.params),
      });
    }
  }

  @Post('logout')
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.audit.recordNow(actorOf(req), {
      action: 'logout',
      subjectType: 'user',
      subjectId: req.principal!.userId,
    });
    await destroySession(req);
    res.clearCookie(SESSION_COOKIE);
    res.redirect(303, '/login?loggedOut');
  }
}
