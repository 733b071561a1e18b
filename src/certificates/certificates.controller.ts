import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { In } from 'typeorm';
import { historyPage } from '../audit/audit-history.js';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { NotFound } from '../common/errors.js';
import { formFailure } from '../common/forms.js';
import { ParseIdPipe } from '../common/ids.js';
import { Transactions } from '../database/transactions.js';
import { I18nService } from '../i18n/i18n.service.js';
import { Department } from '../organisations/department.entity.js';
import { CertificateImports } from './certificate-import.js';
import { CERTIFICATE_STATES } from './certificate.entity.js';
import { CertificateDetailPage } from './certificate-detail-page.js';
import { filterFromQuery, WITHIN_DAYS } from './certificate-query.js';
import { sendDownload } from './certificates-api.controller.js';
import {
  CertificatesService,
  type CertificateFilter,
  type CertificatePage,
} from './certificates.service.js';
import { isDownloadFormat } from './formats.js';

const FILTER_KEYS = [
  'q',
  'state',
  'within',
  'expiresAfter',
  'expiresBefore',
  'sort',
  'nrenId',
  'organisationId',
  'departmentId',
] as const;

// The filters as the person gave them, to carry into the pager's links.
function carried(query: Record<string, unknown>): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const v = query[key];
    if (typeof v === 'string' && v.trim() !== '') {
      params.set(key, v.trim());
    }
  }
  return params;
}

function withCursor(params: URLSearchParams, cursor: string | null): string | null {
  if (cursor === null) {
    return null;
  }
  const p = new URLSearchParams(params);
  p.set('cursor', cursor);
  return `/certificates?${p.toString()}`;
}

@Controller('certificates')
export class CertificatesController {
  constructor(
    private readonly certificates: CertificatesService,
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly i18n: I18nService,
    private readonly imports: CertificateImports,
    private readonly page: CertificateDetailPage,
    private readonly audit: AuditService,
  ) {}

  @Get()
  async list(@Req() req: Request, @Res() res: Response, @Query() query: Record<string, unknown>) {
    const params = carried(query);
    const values = Object.fromEntries(params.entries());
    const form = {
      title: this.i18n.t(req.lang, 'certificates.title'),
      values,
      states: CERTIFICATE_STATES.map((s) => ({ value: s, selected: values.state === s })),
      within: WITHIN_DAYS.map((d) => ({ value: String(d), selected: values.within === String(d) })),
      sortNewest: values.sort === 'newest',
      mayImport: await this.imports.mayImport(req.principal!),
    };
    let filter: CertificateFilter;
    let page: CertificatePage;
    try {
      filter = filterFromQuery(query, this.clock.now());
      page = await this.certificates.list(req.principal!, filter);
    } catch (err) {
      // A malformed filter shows the form again with the problem, not an error page.
      const failure = formFailure(err, req, this.i18n);
      res.status(failure.status).render('certificates/list', { ...form, ...failure });
      return;
    }
    // Department and organisation names for the rows of this page, in one query.
    const departmentIds = [...new Set(page.items.map((c) => c.departmentId))];
    const departments = departmentIds.length
      ? await this.tx.manager.find(Department, {
          where: { id: In(departmentIds) },
          relations: { organisation: true },
        })
      : [];
    const byId = new Map(departments.map((d) => [d.id, d]));
    const nextHref = withCursor(params, page.next);
    const firstHref = filter.cursor ? `/certificates?${params.toString()}` : null;
    res.render('certificates/list', {
      ...form,
      page,
      rows: page.items.map((c) => ({
        c,
        department: byId.get(c.departmentId),
        moreNames: c.nameCount > 1 ? c.nameCount - 1 : 0,
      })),
      nextHref,
      prevHref: withCursor(params, page.prev),
      firstHref,
      showPager: Boolean(nextHref ?? firstHref),
    });
  }

  @Get(':id')
  async show(@Param('id', ParseIdPipe) id: number, @Req() req: Request, @Res() res: Response) {
    await this.page.render(req, res, id);
  }

  @Get(':id/history')
  async history(
    @Param('id', ParseIdPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
    @Query() query: Record<string, unknown>,
  ) {
    const { certificate: c } = await this.certificates.get(req.principal!, id);
    res.render('audit/history', {
      name: c.mainName,
      back: `/certificates/${c.id}`,
      ...(await historyPage(this.audit, `/certificates/${c.id}/history`, query, {
        type: 'certificate',
        id: c.id,
      })),
    });
  }

  @Get(':id/:format')
  async download(
    @Param('id', ParseIdPipe) id: number,
    @Param('format') format: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    if (!isDownloadFormat(format)) {
      throw new NotFound('certificate');
    }
    sendDownload(res, await this.certificates.download(req.principal!, id, format));
  }
}
