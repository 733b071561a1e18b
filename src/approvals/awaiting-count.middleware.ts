import { Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { RequestsService } from '../requests/requests.service.js';

// Pages show approvers how many requests await them (navigation and home page). Only for page
// requests by people who decide somewhere; a failure here never breaks the page.
@Injectable()
export class AwaitingCountMiddleware implements NestMiddleware {
  private readonly logger = new Logger('AwaitingCount');

  constructor(private readonly requests: RequestsService) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const p = req.principal;
    if (req.method === 'GET' && p && p.via === 'session') {
      try {
        const page = await this.requests.list(p, { page: 1, size: 1, q: '' }, { awaitingMe: true });
        res.locals.awaitingCount = page.total;
        res.locals.decides = page.total > 0 || p.grants.some((g) => g.role !== 'requester');
      } catch (err) {
        this.logger.warn(`awaiting count failed: ${(err as Error).message}`);
      }
    }
    next();
  }
}
