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

// The timeline as SVG drawn on the server: a horizontal bar per week, so that on a phone the
// dates and counts stay as large as the text around them; each bar has its own text for screen
// readers, and the table below the chart holds the same figures.
export function timelineSvg(
  weeks: Upcoming['weeks'],
  labels: {
    title: string;
    week: (start: Date, count: number) => string;
    short: (d: Date) => string;
  },
): string {
  const width = 320;
  const row = 26;
  const top = 4;
  const left = 64;
  const right = 32;
  const height = top * 2 + row * weeks.length;
  const max = Math.max(1, ...weeks.map((w) => w.count));
  const esc = (s: string) =>
    s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const bars = weeks
    .map((w, i) => {
      const y = top + i * row;
      const len = Math.round(((width - left - right) * w.count) / max);
      const label = esc(labels.week(w.start, w.count));
      return (
        `<g role="listitem" aria-label="${label}"><title>${label}</title>` +
        `<text x="${left - 8}" y="${y + 18}" font-size="14" text-anchor="end" fill="#0b0c0c">${esc(labels.short(w.start))}</text>` +
        `<rect x="${left}" y="${y + 4}" width="${len}" height="${row - 8}" fill="#1d70b8"/>` +
        `<text x="${left + len + 6}" y="${y + 18}" font-size="14" fill="#0b0c0c">${w.count}</text></g>`
      );
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="timeline-title">` +
    `<title id="timeline-title">${esc(labels.title)}</title>` +
    `<line x1="${left}" y1="0" x2="${left}" y2="${height}" stroke="#0b0c0c"/>` +
    `<g role="list">${bars}</g></svg>`
  );
}
