// Reminder thresholds are whole days before expiry; a negative one is a notice after it
// (-1: the day after). A certificate crosses threshold T at notAfter - T days.
export const DAY_MS = 86_400_000;
export { normaliseThresholds, parseThresholds } from '../config/expiry.config.js';

export function crossingTime(notAfter: Date, threshold: number): number {
  return notAfter.getTime() - threshold * DAY_MS;
}

export interface Crossed {
  // The most urgent threshold crossed in the window: the one to send.
  send: number;
  // Thresholds also crossed in the window (the job was not running): recorded as skipped.
  skipped: number[];
}

// Which of a certificate's thresholds were crossed in the window (from, to]: the moment
// matters, not the day count, so a run that was missed loses nothing.
export function crossedIn(
  notAfter: Date,
  thresholds: readonly number[],
  from: Date,
  to: Date,
): Crossed | null {
  const crossed = thresholds
    .filter((t) => {
      const at = crossingTime(notAfter, t);
      return at > from.getTime() && at <= to.getTime();
    })
    .sort((a, b) => a - b);
  if (crossed.length === 0) {
    return null;
  }
  return { send: crossed[0], skipped: crossed.slice(1) };
}

// The not_after ranges (from + T, to + T] that hold every certificate crossing any of the
// thresholds in the window: what the due scan asks the expiry index for.
export function dueRanges(
  thresholds: readonly number[],
  from: Date,
  to: Date,
): Array<{ after: Date; upTo: Date }> {
  const sorted = [...new Set(thresholds)].sort((a, b) => a - b);
  const ranges: Array<{ after: number; upTo: number }> = [];
  for (const t of sorted) {
    const after = from.getTime() + t * DAY_MS;
    const upTo = to.getTime() + t * DAY_MS;
    const last = ranges[ranges.length - 1];
    // Overlapping windows (a long gap) merge, so no row is read twice.
    if (last && after <= last.upTo) {
      last.upTo = Math.max(last.upTo, upTo);
    } else {
      ranges.push({ after, upTo });
    }
  }
  return ranges.map((r) => ({ after: new Date(r.after), upTo: new Date(r.upTo) }));
}
