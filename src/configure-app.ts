import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import cookieParser from 'cookie-parser';
import session from 'express-session';
import helmet from 'helmet';
import { randomUUID } from 'node:crypto';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { CaConnection } from './ca/ca-connection.js';
import { redactUrl } from './common/logger.js';
import { ErrorFilter } from './common/error.filter.js';
import { formDrafts, postOnlyRedirect, type RouteLayer } from './common/form-drafts.js';
import { PUBLIC_DIR, VIEWS_DIR } from './common/paths.js';
import { isApiRequest } from './common/request.js';
import { appConfig, type AppConfig } from './config/app.config.js';
import { sessionConfig, type SessionConfig } from './config/session.config.js';
import { I18nService } from './i18n/i18n.service.js';
import { registerViewHelpers } from './i18n/view-helpers.js';
import { SESSION_COOKIE } from './sessions/session-helpers.js';
import { SessionsService } from './sessions/sessions.service.js';

// Everything about the HTTP edge, shared by main.ts and the tests.
export function configureApp(app: NestExpressApplication, logger: Logger): void {
  const config = app.get<AppConfig>(appConfig.KEY);
  const sessionCfg = app.get<SessionConfig>(sessionConfig.KEY);
  const i18n = app.get(I18nService);

  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' },
      // One compact line per request; headers stay out (they carry cookies and tokens).
      serializers: {
        req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
          ip: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          formAction: ["'self'"],
          styleSrc: ["'self'"],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: config.secureCookies ? [] : null,
        },
      },
      // HSTS only makes sense, and only binds, when the site is served over HTTPS.
      strictTransportSecurity: config.secureCookies
        ? { maxAge: 31536000, includeSubDomains: true }
        : false,
      // The same as frame-ancestors 'none', for browsers that only know this header.
      xFrameOptions: { action: 'deny' },
    }),
  );
  // Pages and API answers may show what only this person may see (a new API token, a link
  // with its token): no browser or proxy keeps a copy. Static files may be cached.
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!req.path.startsWith('/static/')) {
      res.setHeader('Cache-Control', 'no-store');
    }
    next();
  });
  app.useStaticAssets(PUBLIC_DIR, { prefix: '/static/', maxAge: '1h' });
  // A browser asks for /favicon.ico whatever the page says.
  const express = app.getHttpAdapter().getInstance();
  express.get('/favicon.ico', (_req, res) => res.redirect(301, '/static/favicon.svg'));
  app.setBaseViewsDir(VIEWS_DIR);
  app.setViewEngine('hbs');
  app.set('view options', { layout: 'layouts/main' });
  // Views are read and compiled once (Express does it only in production by default); in
  // development an edited view shows at the next request.
  app.set('view cache', config.env !== 'development');
  // Every page, error pages too, says when certificates come from the simulated CA.
  app.setLocal('simulatedCa', app.get(CaConnection).simulated);
  registerViewHelpers(i18n);
  app.useBodyParser('urlencoded', { extended: false, limit: '128kb' });
  app.useBodyParser('json', { limit: '128kb' });
  app.use(cookieParser());
  // The API authenticates by token and never reads cookies; health checks and static files
  // need no session either. Only pages get one.
  const sessions = session({
    name: SESSION_COOKIE,
    store: app.get(SessionsService).store,
    secret: sessionCfg.secret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.secureCookies,
      maxAge: sessionCfg.idleTimeoutMs,
    },
  });
  app.use((req: Request, res: Response, next: NextFunction) =>
    isApiRequest(req) || req.path === '/healthz' || req.path.startsWith('/static/')
      ? next()
      : sessions(req, res, next),
  );
  // express-session sends a redirect's headers before its save has finished, so on a pool of
  // connections the browser can fetch the next page first and miss the flash message set for
  // it. A redirect that carries a flash waits for the save.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
    res.redirect = (...args: unknown[]) => {
      if (req.session?.flash) {
        req.session.save(() => redirect(...args));
      } else {
        redirect(...args);
      }
    };
    next();
  });
  app.use(formDrafts());
  app.use(postOnlyRedirect(() => express.router.stack as unknown as RouteLayer[]));
  app.useGlobalFilters(new ErrorFilter(i18n, logger));
}
