import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  AUDIT_SUBJECT_TYPES,
  auditFilterFromQuery,
  auditFilterQuery,
  auditRow,
  csvLine,
} from '../audit/audit-query.js';
import { AuditService, type AuditFilter } from '../audit/audit.service.js';
import { formFailure } from '../common/forms.js';
import { I18nService } from '../i18n/i18n.service.js';
import { auditSearchScope } from './audit-scope.js';

const PAGE_SIZE = 50;
// An export holds at most this many events; the filter narrows a bigger one.
export const CSV_MAX_ROWS = 100_000;

// The audit search for NREN administrators (their NRENs' events) and platform administrators
// (everything): a page, its CSV export with the same filter, and the API.
@Controller()
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly i18n: I18nService,
  ) {}

  @Get('audit')
  async page(@Req() req: Request, @Res() res: Response, @Query() query: Record<string, unknown>) {
    const within = auditSearchScope(req.principal!);
    const model = {
      title: this.i18n.t(req.lang, 'audit.search.title'),
      values: query,
      actions: this.i18n.keysUnder('audit.actions'),
      objectTypes: AUDIT_SUBJECT_TYPES,
      filterQuery: auditFilterQuery(query),
    };
    let filter: AuditFilter;
    try {
      filter = auditFilterFromQuery(query);
    } catch (err) {
      const failure = formFailure(err, req, this.i18n);
      res.status(failure.status).render('audit/search', { ...model, ...failure, rows: [] });
      return;
    }
    const page = await this.audit.search(filter, within, PAGE_SIZE);
    res.render('audit/search', {
      ...model,
      rows: page.items.map(auditRow),
      nextHref: page.next
        ? `/audit?${model.filterQuery}${model.filterQuery ? '&' : ''}before=${page.next}`
        : null,
      firstHref: filter.before ? `/audit?${model.filterQuery}` : null,
    });
  }

  // The same filter as the page, every matching event (up to the cap), oldest page last.
  // Times in ISO 8601 UTC; event names in the reader's language beside the stable code.
  @Get('audit/events.csv')
  async csv(@Req() req: Request, @Res() res: Response, @Query() query: Record<string, unknown>) {
    const within = auditSearchScope(req.principal!);
    const filter = auditFilterFromQuery(query);
    res
      .status(200)
      .type('text/csv; charset=utf-8')
      .set('Content-Disposition', 'attachment; filename="audit-events.csv"');
    res.write(
      csvLine([
        'id',
        'occurred_at_utc',
        'actor',
        'on_behalf_of',
        'substitute',
        'action',
        'event',
        'object_type',
        'object_id',
        'reason',
      ]),
    );
    let before = filter.before;
    let written = 0;
    while (written < CSV_MAX_ROWS) {
      const page = await this.audit.search({ ...filter, before }, within, 1000);
      for (const e of page.items.map(auditRow)) {
        res.write(
          csvLine([
            e.id,
            e.occurredAt.toISOString(),
            e.actor,
            e.onBehalfOf,
            e.substitute,
            e.action,
            this.i18n.t(req.lang, `audit.actions.${e.action}`),
            e.subjectType,
            e.subjectId,
            e.reason,
          ]),
        );
      }
      written += page.items.length;
      if (!page.next) {
        break;
      }
      before = page.next;
    }
    res.end();
  }

  // GET /api/v1/audit-events: the same filters; `next` is the `before` of the next page.
  @Get('api/v1/audit-events')
  async api(@Req() req: Request, @Query() query: Record<string, unknown>) {
    const within = auditSearchScope(req.principal!);
    const page = await this.audit.search(auditFilterFromQuery(query), within, PAGE_SIZE);
    return { items: page.items.map(auditRow), next: page.next };
  }
}
