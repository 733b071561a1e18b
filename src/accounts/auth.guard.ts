import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Unauthenticated } from '../common/errors.js';
import { CSRF_EXEMPT, IS_PUBLIC } from '../common/public.decorator.js';
import { isApiRequest } from '../common/request.js';
import { CsrfFailed } from './accounts.errors.js';
import { CsrfTokens } from './csrf.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

// Pages: a session, and a CSRF token on every state-changing form (login included).
// API: a bearer token only; cookies are never looked at there, so CSRF cannot reach it.
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly csrf: CsrfTokens,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const api = isApiRequest(req);
    const csrfExempt = this.reflector.getAllAndOverride<boolean>(CSRF_EXEMPT, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!api && !SAFE_METHODS.has(req.method) && !csrfExempt && !this.csrf.isRequestValid(req)) {
      throw new CsrfFailed();
    }
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!isPublic && !req.principal) {
      throw new Unauthenticated();
    }
    return true;
  }
}
