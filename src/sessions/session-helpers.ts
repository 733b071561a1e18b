import type { Request } from 'express';

export const SESSION_COOKIE = 'ra.sid';

function call(req: Request, method: 'regenerate' | 'save' | 'destroy'): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session[method]((err: unknown) =>
      err ? reject(err instanceof Error ? err : new Error('session store failed')) : resolve(),
    );
  });
}

// A fresh session id at login: a session id planted before login is worthless afterwards.
export const regenerateSession = (req: Request) => call(req, 'regenerate');
export const saveSession = (req: Request) => call(req, 'save');
export const destroySession = (req: Request) => call(req, 'destroy');

// Only same-site paths, so ?next= cannot send someone elsewhere after login.
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}
