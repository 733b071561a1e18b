import { Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { openRevocationRequestsFor } from '../certificates/revocation-request-scope.js';
import { Transactions } from '../database/transactions.js';
import { RequestsService } from '../requests/requests.service.js';

type RenderArgs = [view: string, options?: object, callback?: (err: Error, html: string) => void];

// Pages show approvers how many requests await them (navigation and home page). Counted when
// a page is rendered, so it does not matter which middleware learns who is signed in first,
// and redirects and API answers cost nothing. A failure here never breaks the page.
@Injectable()
export class AwaitingCountMiddleware implements NestMiddleware {
  private readonly logger = new Logger('AwaitingCount');

  constructor(
    private readonly requests: RequestsService,
    private readonly tx: Transactions,
  ) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const render: (...args: RenderArgs) => void = res.render.bind(res);
    res.render = (view: string, options?: object, callback?: RenderArgs[2]): void => {
      const p = req.principal;
      if (!p || p.via !== 'session') {
        render(view, options, callback);
        return;
      }
      const deciding = p.grants.some((g) => g.role !== 'requester');
      Promise.all([
        this.requests.list(p, { page: 1, size: 1, q: '' }, { awaitingMe: true }),
        // Revocation requests are decided by RAOs, DRAOs and NREN administrators only.
        deciding ? openRevocationRequestsFor(this.tx.manager, p).getCount() : 0,
      ])
        .then(([page, revocations]) => {
          res.locals.awaitingCount = page.total;
          res.locals.revocationCount = revocations;
          res.locals.decides = page.total > 0 || deciding;
        })
        .catch((err: unknown) => {
          this.logger.warn(`awaiting count failed: ${(err as Error).message}`);
        })
        .finally(() => render(view, options, callback));
    };
    next();
  }
}
