import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { I18nService } from '../i18n/i18n.service.js';
import { Expiries, HORIZON_DAYS, timelineSvg } from './expiries.js';

// Upcoming expiries of the reader's scope: a timeline, the same figures as a table, CSV.
@Controller('expiries')
export class ExpiriesController {
  constructor(
    private readonly expiries: Expiries,
    private readonly i18n: I18nService,
  ) {}

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
