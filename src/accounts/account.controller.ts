import { Body, Controller, Get, Inject, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../common/errors.js';
import { ParseIdPipe } from '../common/ids.js';
import { actorOf } from '../common/request.js';
import type { ConfigType } from '@nestjs/config';
import { appConfig } from '../config/app.config.js';
import { isLanguage, LANGUAGES } from '../i18n/languages.js';
import { rememberLanguage } from './request-context.middleware.js';
import { AccountsService } from './accounts.service.js';
import { PasswordsService } from './passwords.service.js';
import { formFailure } from '../common/forms.js';
import { I18nService } from '../i18n/i18n.service.js';
import { Transactions } from '../database/transactions.js';
import { notificationChoices } from './notifications.js';
import { SecondFactorService } from './second-factor.service.js';
import { sessionConfig } from '../config/session.config.js';
import { approvesOrAdministers } from './principal.js';

@Controller('account')
export class AccountController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly passwords: PasswordsService,
    private readonly i18n: I18nService,
    private readonly secondFactor: SecondFactorService,
    private readonly tx: Transactions,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    @Inject(sessionConfig.KEY) private readonly sessions: ConfigType<typeof sessionConfig>,
  ) {}

  private async page(
    req: Request,
    res: Response,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const principal = req.principal!;
    const tokens = await this.accounts.listTokens(principal.userId);
    res.status(status).render('accounts/account', {
      tokens,
      secondFactor: await this.secondFactor.status(principal.userId),
      notifications: await notificationChoices(this.tx.manager, principal.userId),
      languageOptions: LANGUAGES.map((code) => ({
        code,
        selected: code === (principal.language ?? req.lang),
      })),
      ...extra,
    });
  }

  @Get()
  async show(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.page(req, res);
  }

  @Post('language')
  async setLanguage(
    @Body('language') language: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const chosen = typeof language === 'string' ? language : '';
    await this.accounts.setLanguage(req.principal!.userId, chosen, actorOf(req));
    // The cookie outranks the saved preference: keep them in step.
    if (isLanguage(chosen)) {
      rememberLanguage(res, chosen, this.app.secureCookies);
    }
    req.session.flash = { kind: 'info', key: 'accounts.account.languageSaved' };
    res.redirect(303, '/account');
  }

  // Ends the person's other sessions; this one stays.
  @Post('password')
  @HttpCode(200)
  async changePassword(
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    try {
      await this.passwords.change(req.principal!.userId, body, req.sessionID, actorOf(req));
    } catch (err) {
      const failure = formFailure(err, req, this.i18n);
      await this.page(req, res, { passwordForm: failure }, failure.status);
      return;
    }
    req.session.flash = { kind: 'info', key: 'ui.password.changed' };
    res.redirect(303, '/account');
  }

  @Post('notifications')
  async setNotifications(@Body('kinds') kinds: unknown, @Req() req: Request, @Res() res: Response) {
    const wanted = (Array.isArray(kinds) ? kinds : [kinds]).filter(
      (k): k is string => typeof k === 'string',
    );
    await this.accounts.setNotifications(req.principal!.userId, wanted, actorOf(req));
    req.session.flash = { kind: 'info', key: 'accounts.notifications.saved' };
    res.redirect(303, '/account');
  }

  private async secondFactorPage(
    req: Request,
    res: Response,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const p = req.principal!;
    const current = await this.secondFactor.status(p.userId);
    const enrolment = current.enrolled
      ? null
      : await this.secondFactor.beginEnrolment(p.userId, p.email);
    res.status(status).render('accounts/second-factor', {
      status: current,
      enrolment,
      secretSpaced: enrolment?.secret.match(/.{1,4}/g)?.join(' '),
      required: !current.enrolled && this.sessions.totpRequired && approvesOrAdministers(p),
      ...extra,
    });
  }

  @Get('second-factor')
  async secondFactorShow(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.secondFactorPage(req, res);
  }

  // Confirms the enrolment with a first code; the recovery codes are shown this once.
  @Post('second-factor')
  @HttpCode(200)
  async secondFactorConfirm(
    @Body('code') code: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    try {
      const codes = await this.secondFactor.confirmEnrolment(
        req.principal!.userId,
        typeof code === 'string' ? code.slice(0, 64) : '',
        actorOf(req),
      );
      res.setHeader('Cache-Control', 'no-store');
      res.render('accounts/recovery-codes', { codes });
    } catch (err) {
      const failure = formFailure(err, req, this.i18n);
      await this.secondFactorPage(req, res, { ...failure }, failure.status);
    }
  }

  @Post('second-factor/disable')
  @HttpCode(200)
  async secondFactorDisable(
    @Body('code') code: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    try {
      await this.secondFactor.disableOwn(
        req.principal!.userId,
        typeof code === 'string' ? code.slice(0, 64) : '',
        actorOf(req),
      );
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'rate-limited') {
        res.setHeader('Retry-After', String(err.params.seconds));
        const formError = this.i18n.t(req.lang, `errors.${err.code}`, err.params);
        await this.secondFactorPage(req, res, { formError }, 429);
        return;
      }
      const failure = formFailure(err, req, this.i18n);
      await this.secondFactorPage(req, res, { ...failure }, failure.status);
      return;
    }
    req.session.flash = { kind: 'info', key: 'accounts.secondFactor.disabled' };
    res.redirect(303, '/account');
  }

  @Post('tokens')
  @HttpCode(200)
  async createToken(@Body('name') name: unknown, @Req() req: Request, @Res() res: Response) {
    const input = typeof name === 'string' ? name : '';
    try {
      const created = await this.accounts.createTokenFor(
        req.principal!.userId,
        input,
        actorOf(req),
      );
      res.render('accounts/token-created', { token: created.token, secret: created.secret });
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind !== 'invalid') {
        throw err;
      }
      await this.page(req, res, { tokenName: input, tokenErrors: err.problems }, 422);
    }
  }

  @Post('tokens/:id/revoke')
  async revokeToken(
    @Param('id', ParseIdPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await this.accounts.revokeToken(req.principal!.userId, id, actorOf(req));
    req.session.flash = { kind: 'info', key: 'accounts.tokens.revoked' };
    res.redirect(303, '/account');
  }
}
