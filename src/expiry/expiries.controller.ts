import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CertificateImports } from '../certificates/certificate-import.js';
import { submitOnPage, type FormFailure } from '../common/forms.js';
import { ParseIdPipe } from '../common/ids.js';
import { actorOf } from '../common/request.js';
import { I18nService } from '../i18n/i18n.service.js';
import { Expiries, HORIZON_DAYS, timelineSvg } from './expiries.js';
import { ExpirySettingsService } from './expiry-settings.service.js';

// Upcoming expiries of the reader's scope: a timeline, the same figures as a table, CSV.
@Controller('expiries')
export class ExpiriesController {
  constructor(
    private readonly expiries: Expiries,
    private readonly settings: ExpirySettingsService,
    private readonly imports: CertificateImports,
    private readonly i18n: I18nService,
  ) {}

  // The reminder log of one certificate, and (for its organisation's RAOs and above) its
  // mute switch and extra addresses.
  @Get('certificates/:id')
  async log(@Param('id', ParseIdPipe) id: number, @Req() req: Request, @Res() res: Response) {
    await this.renderLog(id, req, res);
  }

  @Post('certificates/:id')
  async saveSettings(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await submitOnPage(req, res, this.i18n, {
      save: () =>
        this.settings.setSettings(
          req.principal!,
          id,
          { muted: body.muted, extraAddresses: body.extraAddresses },
          actorOf(req),
        ),
      then: () => `/expiries/certificates/${id}`,
      flash: (s) => ({ kind: 'info', key: s.muted ? 'expiry.log.mutedNow' : 'expiry.log.saved' }),
      page: (failure) => this.renderLog(id, req, res, failure, body),
    });
  }

  private async renderLog(
    id: number,
    req: Request,
    res: Response,
    failure?: FormFailure,
    typed?: Record<string, unknown>,
  ) {
    const page = await this.settings.page(req.principal!, id);
    const at = new Intl.DateTimeFormat(req.lang, {
      dateStyle: 'long',
      timeStyle: 'short',
      timeZone: 'UTC',
    });
    const day = new Intl.DateTimeFormat(req.lang, { dateStyle: 'long', timeZone: 'UTC' });
    res.status(failure?.status ?? 200).render('expiry/reminders', {
      title: this.i18n.t(req.lang, 'expiry.log.title', { name: page.certificate.mainName }),
      certificate: page.certificate,
      notAfter: day.format(page.certificate.notAfter),
      mutedAt: page.settings.mutedAt ? at.format(page.settings.mutedAt) : null,
      muted: page.settings.muted,
      mayEdit: page.mayEdit,
      rows: page.log.map((r) => ({
        ...r,
        when: at.format(r.createdAt),
        threshold:
          r.thresholdDays < 0
            ? this.i18n.t(req.lang, 'expiry.log.after', { count: -r.thresholdDays })
            : this.i18n.t(req.lang, 'expiry.log.thresholdIs', { days: r.thresholdDays }),
      })),
      values: typed
        ? { muted: typed.muted, extraAddresses: typed.extraAddresses, _page: typed._page }
        : {
            muted: page.settings.muted,
            extraAddresses: page.settings.extraAddresses.join('\n'),
          },
      ...(failure ? { problems: failure.problems, formError: failure.formError } : {}),
    });
  }

  @Get()
  async page(@Req() req: Request, @Res() res: Response) {
    const lang = req.lang;
    const up = await this.expiries.upcoming(req.principal!);
    const day = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' });
    const short = new Intl.DateTimeFormat(lang, {
      day: 'numeric',
      month: 'short',
      timeZone: 'UTC',
    });
    const svg = timelineSvg(up.weeks, {
      title: this.i18n.t(lang, 'expiry.timeline', { days: HORIZON_DAYS }),
      week: (start, count) =>
        this.i18n.t(lang, 'expiry.weekOf', { date: day.format(start), count }),
      short: (d) => short.format(d),
    });
    res.render('expiry/upcoming', {
      title: this.i18n.t(lang, 'expiry.title'),
      svg,
      weeks: up.weeks.map((w) => ({ date: day.format(w.start), count: w.count })),
      rows: up.rows.map((r) => ({ ...r, date: day.format(r.notAfter) })),
      total: up.rows.length,
      truncated: up.truncated,
      days: HORIZON_DAYS,
      mayImport: await this.imports.mayImport(req.principal!),
    });
  }

  // Dates in ISO 8601 (UTC), so a spreadsheet in any language reads them the same.
  @Get('csv')
  async csv(@Req() req: Request, @Res() res: Response) {
    const up = await this.expiries.upcoming(req.principal!);
    const cell = (v: string | number) => {
      const s = String(v);
      // A leading = + - @ would be a formula in a spreadsheet.
      const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
      return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
    };
    const lines = [
      ['id', 'name', 'not_after_utc', 'days_left', 'department_id'].join(','),
      ...up.rows.map((r) =>
        [r.id, r.mainName, r.notAfter.toISOString(), r.days, r.departmentId].map(cell).join(','),
      ),
    ];
    res
      .status(200)
      .type('text/csv; charset=utf-8')
      .set('Content-Disposition', 'attachment; filename="expiries.csv"')
      .send(`${lines.join('\r\n')}\r\n`);
  }
}
