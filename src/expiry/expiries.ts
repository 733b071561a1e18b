import { Injectable } from '@nestjs/common';
import type { Principal } from '../accounts/principal.js';
import type { Certificate } from '../certificates/certificate.entity.js';
import { CertificatesService } from '../certificates/certificates.service.js';
import { Clock } from '../common/clock.js';
import { DAY_MS } from './thresholds.js';

export const HORIZON_DAYS = 90;
export const WEEKS = Math.ceil(HORIZON_DAYS / 7);
// A page of the timeline reads at most this many certificates (the table says when cut).
export const MAX_ROWS = 5000;
const PAGE = 500;

export interface Upcoming {
  from: Date;
  until: Date;
  rows: Array<
    Pick<Certificate, 'id' | 'mainName' | 'notAfter' | 'departmentId'> & { days: number }
  >;
  // Certificates per week from today, for the timeline.
  weeks: Array<{ start: Date; count: number }>;
  truncated: boolean;
}

// The valid certificates of the reader's scope that expire within the next 90 days, soonest
// first, read along the expiry index page by page (the same list and scope rules as
// /certificates).
@Injectable()
export class Expiries {
  constructor(
    private readonly certificates: CertificatesService,
    private readonly clock: Clock,
  ) {}

  async upcoming(p: Principal): Promise<Upcoming> {
    const from = this.clock.now();
    const until = new Date(from.getTime() + HORIZON_DAYS * DAY_MS);
    const rows: Upcoming['rows'] = [];
    let cursor: string | undefined;
    let truncated = false;
    for (;;) {
      const page = await this.certificates.list(
        p,
        { state: 'valid', expiresAfter: from, expiresBefore: until, sort: 'expiry', cursor },
        PAGE,
      );
      for (const c of page.items) {
        if (c.notAfter.getTime() <= from.getTime() || c.notAfter.getTime() > until.getTime()) {
          continue;
        }
        rows.push({
          id: c.id,
          mainName: c.mainName,
          notAfter: c.notAfter,
          departmentId: c.departmentId,
          days: Math.ceil((c.notAfter.getTime() - from.getTime()) / DAY_MS),
        });
      }
      if (!page.next) {
        break;
      }
      if (rows.length >= MAX_ROWS) {
        truncated = true;
        break;
      }
      cursor = page.next;
    }
    const weeks = Array.from({ length: WEEKS }, (_, i) => ({
      start: new Date(from.getTime() + i * 7 * DAY_MS),
      count: 0,
    }));
    for (const r of rows) {
      const week = Math.min(
        WEEKS - 1,
        Math.floor((r.notAfter.getTime() - from.getTime()) / (7 * DAY_MS)),
      );
      weeks[week].count += 1;
    }
    return { from, until, rows, weeks, truncated };
  }
}

// The timeline as SVG drawn on the server: a bar per week, each with its own text for screen
// readers; the table below the chart holds the same figures.
export function timelineSvg(
  weeks: Upcoming['weeks'],
  labels: {
    title: string;
    week: (start: Date, count: number) => string;
    short: (d: Date) => string;
  },
): string {
  const width = 720;
  const height = 200;
  const left = 40;
  const bottom = 30;
  const max = Math.max(1, ...weeks.map((w) => w.count));
  const slot = (width - left) / weeks.length;
  const esc = (s: string) =>
    s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const bars = weeks
    .map((w, i) => {
      const h = Math.round(((height - bottom - 10) * w.count) / max);
      const x = Math.round(left + i * slot + 4);
      const y = height - bottom - h;
      const label = esc(labels.week(w.start, w.count));
      return (
        `<g role="listitem" aria-label="${label}"><title>${label}</title>` +
        `<rect x="${x}" y="${y}" width="${Math.round(slot - 8)}" height="${h}" fill="#1d70b8"/>` +
        `<text x="${x + Math.round((slot - 8) / 2)}" y="${y - 3}" font-size="11" text-anchor="middle">${w.count || ''}</text>` +
        `<text x="${x + Math.round((slot - 8) / 2)}" y="${height - 12}" font-size="10" text-anchor="middle">${esc(labels.short(w.start))}</text></g>`
      );
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="timeline-title">` +
    `<title id="timeline-title">${esc(labels.title)}</title>` +
    `<line x1="${left}" y1="${height - bottom}" x2="${width}" y2="${height - bottom}" stroke="#0b0c0c"/>` +
    `<g role="list">${bars}</g></svg>`
  );
}
