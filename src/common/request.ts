import type { Request } from 'express';
import type { Principal } from '../accounts/principal.js';
import type { Actor } from '../audit/audit.service.js';
import type { Language } from '../i18n/languages.js';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    lang: Language;
    id: string | number | object;
  }
}

export function isApiRequest(req: Request): boolean {
  return req.path === '/api' || req.path.startsWith('/api/');
}

export function actorOf(req: Request): Actor {
  return {
    id: req.principal?.userId ?? null,
    label: req.principal?.email ?? 'anonymous',
    ip: req.ip ?? null,
  };
}
