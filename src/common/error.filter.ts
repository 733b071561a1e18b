import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { I18nService } from '../i18n/i18n.service.js';
import { isLanguage, LANG_COOKIE, type Language } from '../i18n/languages.js';
import { COMMON_ERROR_CODES, DomainError, httpStatusOf, type ErrorKind } from './errors.js';
import { isApiRequest } from './request.js';

function kindOfStatus(status: number): ErrorKind | null {
  switch (status) {
    case 400:
    case 422:
      return 'invalid';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 404:
    case 405:
      return 'not-found';
    case 409:
      return 'conflict';
    case 413:
      return 'too-large';
    case 429:
      return 'rate-limited';
    default:
      return null;
  }
}

function codeOfKind(kind: ErrorKind): (typeof COMMON_ERROR_CODES)[number] {
  switch (kind) {
    case 'invalid':
      return 'http_400';
    case 'unauthenticated':
      return 'unauthenticated';
    case 'forbidden':
      return 'forbidden';
    case 'not-found':
      return 'not_found';
    case 'conflict':
      return 'conflict';
    case 'too-large':
      return 'too_large';
    case 'rate-limited':
      return 'rate_limited';
    case 'unavailable':
      return 'internal';
  }
}

// Framework and parser errors (unknown route, body too large, bad JSON) become domain errors
// so that one mapping decides status, message and page.
export function toDomainError(exception: unknown): DomainError | null {
  if (exception instanceof DomainError) {
    return exception;
  }
  const status =
    exception instanceof HttpException
      ? exception.getStatus()
      : typeof (exception as { status?: unknown })?.status === 'number'
        ? (exception as { status: number }).status
        : 500;
  const kind = kindOfStatus(status);
  if (!kind) {
    return null;
  }
  return new DomainError(kind, codeOfKind(kind));
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(
    private readonly i18n: I18nService,
    private readonly logger: Logger,
  ) {}

  // For failures before RequestContextMiddleware ran: what the request itself says.
  private earlyLanguage(req: Request): Language {
    const cookie: unknown = (req.cookies as Record<string, unknown> | undefined)?.[LANG_COOKIE];
    const query = req.query?.lang;
    return isLanguage(query)
      ? query
      : isLanguage(cookie)
        ? cookie
        : (this.i18n.fromAcceptLanguage(req.headers['accept-language']) ?? 'en');
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const lang = req.lang ?? this.earlyLanguage(req);
    const error = toDomainError(exception);
    if (!error) {
      this.logger.error({ err: exception, reqId: req.id }, 'unhandled error');
    }
    const status = error ? httpStatusOf(error.kind) : 500;
    const code = error?.code ?? 'internal';
    // CSR refusals keep their messages with the engine's findings (csr.findings.<CODE>).
    const key =
      error?.messageKey ??
      (this.i18n.has(`errors.${code}`) ? `errors.${code}` : `csr.findings.${code}`);
    const message = this.i18n.t(lang, key, {
      ...error?.params,
      requestId: String(req.id),
    });
    const problems = (error?.problems ?? []).map((p) => ({
      field: p.field,
      code: p.code,
      message: this.i18n.t(lang, `errors.${p.code}`, p.params),
    }));
    if (res.headersSent) {
      return;
    }
    if (error?.kind === 'rate-limited' && typeof error.params.seconds === 'number') {
      res.setHeader('Retry-After', String(error.params.seconds));
    }
    if (isApiRequest(req)) {
      res
        .status(status)
        .type('application/problem+json')
        .json({ type: 'about:blank', title: message, status, code, errors: problems });
      return;
    }
    if (error?.kind === 'unauthenticated' && req.method === 'GET') {
      const expired = req.sessionExpired ? '&expired' : '';
      res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}${expired}`);
      return;
    }
    // The failure may have come before the request's language was worked out.
    res.locals.lang ??= lang;
    res.status(status).render('errors/error', {
      title: this.i18n.t(lang, `errors.title.${status}`),
      status,
      message,
      problems,
      requestId: status === 500 ? req.id : undefined,
    });
  }
}
