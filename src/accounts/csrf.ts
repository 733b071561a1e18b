import { csrfSync } from 'csrf-sync';
import type { Request } from 'express';

// Synchronizer token kept in the session; forms send it as _csrf, scripts as X-CSRF-Token.
export const csrf = csrfSync({
  getTokenFromRequest: (req: Request) => {
    const body = req.body as Record<string, unknown> | undefined;
    const fromBody = body?._csrf;
    if (typeof fromBody === 'string') {
      return fromBody;
    }
    const header = req.headers['x-csrf-token'];
    return typeof header === 'string' ? header : undefined;
  },
});
