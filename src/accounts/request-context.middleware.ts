import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { NextFunction, Request, Response } from 'express';
import { Clock } from '../common/clock.js';
import { isApiRequest } from '../common/request.js';
import { appConfig } from '../config/app.config.js';
import { sessionConfig } from '../config/session.config.js';
import { I18nService } from '../i18n/i18n.service.js';
import { languageLinks } from '../common/form-drafts.js';
import { isLanguage, LANG_COOKIE, Language } from '../i18n/languages.js';
import { AccountsService } from './accounts.service.js';
import { CsrfTokens } from './csrf.js';
import { approvesOrAdministers } from './principal.js';
import { SecondFactorService } from './second-factor.service.js';

// What someone who must enrol a second factor may still reach before they have.
const ENROLMENT_PATHS = /^\/(account\/second-factor(\/.*)?|logout)$/;

// The language cookie outranks the saved preference; both ways of choosing set it.
export function rememberLanguage(res: Response, lang: Language, secure: boolean): void {
  res.cookie(LANG_COOKIE, lang, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: 365 * 24 * 3600 * 1000,
  });
}

// Loads who is asking (session or bearer token) and which language to answer in:
// ?lang=, then the cookie, then the saved preference, then Accept-Language, then the default.
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  constructor(
    private readonly accounts: AccountsService,
    private readonly i18n: I18nService,
    private readonly clock: Clock,
    private readonly csrf: CsrfTokens,
    private readonly secondFactor: SecondFactorService,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    @Inject(sessionConfig.KEY) private readonly sessions: ConfigType<typeof sessionConfig>,
  ) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      const expired = await this.loadPrincipal(req);
      req.lang = this.language(req, res);
      res.locals.lang = req.lang;
      if (!isApiRequest(req)) {
        this.viewLocals(req, res);
      }
      // The login page this request is about to be sent to says why.
      req.sessionExpired = expired;
      if (await this.mustEnrolFirst(req)) {
        res.redirect(303, '/account/second-factor');
        return;
      }
      next();
    } catch (err) {
      next(err);
    }
  }

  // True when the session just passed its absolute timeout.
  private async loadPrincipal(req: Request): Promise<boolean> {
    if (isApiRequest(req)) {
      const header = req.headers.authorization ?? '';
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (match) {
        req.principal = (await this.accounts.principalForToken(match[1])) ?? undefined;
      }
      return false;
    }
    const s = req.session;
    if (!s?.userId) {
      return false;
    }
    const loginAt = s.loginAt ?? 0;
    if (this.clock.now().getTime() - loginAt > this.sessions.absoluteTimeoutMs) {
      await new Promise<void>((resolve) => s.regenerate(() => resolve()));
      return true;
    }
    req.principal = (await this.accounts.loadPrincipal(s.userId, 'session')) ?? undefined;
    return false;
  }

  // With TOTP_REQUIRED, an approver or administrator without a second factor gets to no page
  // but its enrolment (and logout). API tokens are not affected.
  private async mustEnrolFirst(req: Request): Promise<boolean> {
    const p = req.principal;
    if (!this.sessions.totpRequired || !p || p.via !== 'session' || !approvesOrAdministers(p)) {
      return false;
    }
    const path = '/' + (req.originalUrl.split('?')[0] ?? '').replace(/^[/\\]+/, '');
    return !ENROLMENT_PATHS.test(path) && !(await this.secondFactor.isEnrolled(p.userId));
  }

  private language(req: Request, res: Response): Language {
    const query = req.query.lang;
    if (isLanguage(query)) {
      rememberLanguage(res, query, this.app.secureCookies);
      return query;
    }
    const cookie: unknown = req.cookies?.[LANG_COOKIE];
    if (isLanguage(cookie)) {
      return cookie;
    }
    if (isLanguage(req.principal?.language)) {
      return req.principal.language;
    }
    return this.i18n.fromAcceptLanguage(req.headers['accept-language']) ?? this.app.defaultLanguage;
  }

  private viewLocals(req: Request, res: Response): void {
    // req.path is relative to the middleware's mount point; the page's own path is wanted.
    // Always a path on this site: `GET //evil.example/x` must not make links to evil.example.
    const path = '/' + (req.originalUrl.split('?')[0] ?? '').replace(/^[/\\]+/, '');
    res.locals.principal = req.principal;
    const roles = new Set(req.principal?.grants.map((g) => g.role));
    res.locals.nav = {
      platform: roles.has('platform-admin'),
      nrens: roles.has('platform-admin') || roles.has('nren-admin'),
      organisations: roles.has('platform-admin') || roles.has('nren-admin') || roles.has('rao'),
    };
    res.locals.currentPath = path;
    res.locals.languageLinks = languageLinks(req);
    // Pages (the requests that get a session object, stored or not) carry forms.
    if (req.session) {
      res.locals.csrfToken = this.csrf.issue(req, res);
      if (req.session.flash && req.method === 'GET') {
        res.locals.flash = req.session.flash;
        delete req.session.flash;
      }
    }
  }
}
