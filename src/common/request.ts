import type { Request } from 'express';
import type { Principal } from '../accounts/principal.js';
import type { Actor } from '../audit/audit.service.js';
import type { Language } from '../i18n/languages.js';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    lang: Language;
    // The session this request came with just passed its absolute timeout.
    sessionExpired?: boolean;
    // Set by pino-http: the X-Request-Id header or a fresh UUID.
    id: string;
  }
}

// originalUrl, not path: inside mounted middleware req.path is relative to the mount point.
export function isApiRequest(req: Request): boolean {
  const path = req.originalUrl.split('?')[0] ?? '';
  return path === '/api' || path.startsWith('/api/');
}

export function actorOf(req: Request): Actor {
  return {
    id: req.principal?.userId ?? null,
    label: req.principal?.email ?? 'anonymous',
    ip: req.ip ?? null,
  };
}
