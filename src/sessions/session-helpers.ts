import type { Request } from 'express';
import { TypeOrmSessionStore } from './typeorm-session.store.js';

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

// The only way a session comes into the store: signed in, under a new id. Anonymous visitors
// get no stored session at all.
// With pendingNext the password was right but a second factor is still to come: the session
// names the person only as pending, so nothing treats it as signed in.
export async function startSession(
  req: Request,
  userId: number,
  loginAt: number,
  pending?: { pendingNext: string },
): Promise<void> {
  await regenerateSession(req);
  if (pending) {
    req.session.pendingUserId = userId;
    req.session.pendingNext = pending.pendingNext;
  } else {
    req.session.userId = userId;
  }
  req.session.loginAt = loginAt;
  const store = req.sessionStore;
  if (!(store instanceof TypeOrmSessionStore)) {
    throw new Error('sessions are not stored in the database');
  }
  await store.create(req.sessionID, req.session);
  await saveSession(req);
}
export const destroySession = (req: Request) => call(req, 'destroy');

// Only same-site paths, so ?next= cannot send someone elsewhere after login.
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}
