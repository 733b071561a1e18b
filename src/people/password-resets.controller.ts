import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { formFailure } from '../common/forms.js';
import { Public } from '../common/public.decorator.js';
import { I18nService } from '../i18n/i18n.service.js';
import { PasswordResetsService } from './password-resets.service.js';

// "Forgot password": the link's token is a path segment, which the request log redacts
// (see redactUrl in common/logger.ts), and the page never says whether an address exists.
@Controller('password')
export class PasswordResetsController {
  constructor(
    private readonly passwords: PasswordResetsService,
    private readonly i18n: I18nService,
  ) {}

  @Public()
  @Get('forgot')
  forgotForm(@Res() res: Response) {
    res.render('accounts/forgot', { values: {} });
  }

  @Public()
  @Post('forgot')
  async forgot(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    try {
      await this.passwords.requestReset(body, req.lang, req.ip);
    } catch (err) {
      const failure = formFailure(err, req, this.i18n);
      res.status(failure.status).render('accounts/forgot', { ...failure, values: body });
      return;
    }
    // Anonymous visitors have no stored session (so no flash): the login page is told by a flag.
    res.redirect(303, '/login?resetSent');
  }

  @Public()
  @Get('reset/:token')
  async resetForm(@Param('token') token: string, @Res() res: Response) {
    await this.passwords.checkReset(token);
    res.render('accounts/reset', { token });
  }

  @Public()
  @Post('reset/:token')
  async reset(
    @Param('token') token: string,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    try {
      await this.passwords.reset(token, body, req.ip);
    } catch (err) {
      const failure = formFailure(err, req, this.i18n);
      res.status(failure.status).render('accounts/reset', { ...failure, token });
      return;
    }
    res.redirect(303, '/login?passwordSet');
  }
}
