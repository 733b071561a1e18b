import type { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Logger } from 'pino';

// Never log credentials: headers that carry them and any field that looks like a secret.
export const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.loginPassword',
  '*.secret',
  '*.token',
];

// Paths whose next segment is a secret (the links in invitation, validation and password
// reset e-mails).
const SECRET_SEGMENTS = ['/invitations/accept/', '/domain-validation/', '/password/reset/'];
// Query parameters that carry secrets; old e-mails still hold ?token= links.
const SECRET_PARAMS = /^(token|password|secret|key|code|sig|signature)$/i;

// The URL as it may appear in a log line: secret path segments and query values redacted.
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  let path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  for (const prefix of SECRET_SEGMENTS) {
    const at = path.indexOf(prefix);
    if (at >= 0) {
      const rest = path.slice(at + prefix.length);
      const slash = rest.indexOf('/');
      path =
        path.slice(0, at + prefix.length) + '[redacted]' + (slash < 0 ? '' : rest.slice(slash));
    }
  }
  if (!query) {
    return path;
  }
  const params = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // A malformed name is logged as sent; only its value could be a secret.
      }
      if (eq < 0) {
        return pair;
      }
      if (SECRET_PARAMS.test(decoded)) {
        return `${name}=[redacted]`;
      }
      // A path in a parameter (?next=/invitations/accept/…) is redacted like the URL itself.
      let value = pair.slice(eq + 1);
      try {
        value = decodeURIComponent(value.replace(/\+/g, ' '));
      } catch {
        return pair;
      }
      if (!value.startsWith('/')) {
        return pair;
      }
      const redacted = redactUrl(value);
      return redacted === value ? pair : `${name}=${encodeURIComponent(redacted)}`;
    })
    .join('&');
  return `${path}?${params}`;
}

// Errors keep their message and stack; a failed query's parameters (hashes, tokens, e-mail
// addresses) stay out.
function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) {
    return err;
  }
  const out: Record<string, unknown> = { type: err.name, message: err.message, stack: err.stack };
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) {
    out.code = code;
  }
  return out;
}

export function createRootLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { app: 'tcs-ra' },
    serializers: { err: serializeError },
  };
  return destination ? pino(options, destination) : pino(options);
}

// Nest's own messages (bootstrap, route mapping, uncaught errors) through the same pino.
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
