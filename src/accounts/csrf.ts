import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Request, Response } from 'express';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appConfig } from '../config/app.config.js';
import { sessionConfig } from '../config/session.config.js';

const NONCE = /^[\w-]{43}$/;

// Signed double-submit tokens: a random nonce in an HttpOnly cookie, and in each form the
// HMAC of that nonce (and, once signed in, of the session id) under a key derived from
// SESSION_SECRET. Nothing is stored, so anonymous pages such as the login form write nothing
// to the database. Over HTTPS the cookie has the __Host- prefix, so a sibling subdomain
// cannot plant a nonce of its choosing.
@Injectable()
export class CsrfTokens {
  private readonly key: Buffer;
  readonly cookie: string;
  private readonly secure: boolean;

  constructor(
    @Inject(sessionConfig.KEY) session: ConfigType<typeof sessionConfig>,
    @Inject(appConfig.KEY) app: ConfigType<typeof appConfig>,
  ) {
    this.key = createHmac('sha256', session.secret).update('tcs-ra csrf v1').digest();
    this.secure = app.secureCookies;
    this.cookie = app.secureCookies ? '__Host-ra.csrf' : 'ra.csrf';
  }

  private nonceOf(req: Request): string | null {
    const value: unknown = (req.cookies as Record<string, unknown> | undefined)?.[this.cookie];
    return typeof value === 'string' && NONCE.test(value) ? value : null;
  }

  private sign(req: Request, nonce: string): string {
    // A token taken from one signed-in session is worthless in any other.
    const binding = req.session?.userId || req.session?.pendingUserId ? req.sessionID : '';
    return createHmac('sha256', this.key).update(`${nonce}\n${binding}`).digest('base64url');
  }

  // The token for this request's forms; sets the nonce cookie when the visitor has none.
  issue(req: Request, res: Response): string {
    let nonce = this.nonceOf(req);
    if (!nonce) {
      nonce = randomBytes(32).toString('base64url');
      res.cookie(this.cookie, nonce, {
        httpOnly: true,
        sameSite: 'lax',
        secure: this.secure,
        path: '/',
      });
      // Later code in this request (a form shown again) signs the same nonce.
      (req.cookies as Record<string, unknown>)[this.cookie] = nonce;
    }
    return this.sign(req, nonce);
  }

  // Forms send the token as _csrf, scripts as X-CSRF-Token.
  isRequestValid(req: Request): boolean {
    const nonce = this.nonceOf(req);
    const body = req.body as Record<string, unknown> | undefined;
    const header = req.headers['x-csrf-token'];
    const given = typeof body?._csrf === 'string' ? body._csrf : header;
    if (!nonce || typeof given !== 'string') {
      return false;
    }
    const expected = Buffer.from(this.sign(req, nonce));
    const actual = Buffer.from(given);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}
