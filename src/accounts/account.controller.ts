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

@Controller('account')
export class AccountController {
  constructor(
    private readonly accounts: AccountsService,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
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
