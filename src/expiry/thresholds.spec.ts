import { crossedIn, dueRanges, parseThresholds } from './thresholds.js';

const D = 86_400_000;
const notAfter = new Date('2027-01-01T00:00:00Z');
const at = (days: number) => new Date(notAfter.getTime() - days * D);

describe('thresholds', () => {
  it('parses a list, sorts it descending and refuses what is not a day count', () => {
    expect(parseThresholds('1, 60,30,-1,7')).toEqual([60, 30, 7, 1, -1]);
    expect(parseThresholds('60,abc')).toBeNull();
    expect(parseThresholds('0')).toBeNull();
    expect(parseThresholds('400')).toBeNull();
    expect(parseThresholds('')).toBeNull();
  });

  it('finds a threshold crossed in the window, not one crossed before or after it', () => {
    const t = [60, 30, 14, 7, 3, 1, -1];
    expect(crossedIn(notAfter, t, at(31), at(29))).toEqual({ send: 30, skipped: [] });
    // Crossed exactly at the end of the window counts; exactly at its start does not.
    expect(crossedIn(notAfter, t, at(31), at(30))).toEqual({ send: 30, skipped: [] });
    expect(crossedIn(notAfter, t, at(30), at(29))).toBeNull();
  });

  it('after a gap sends the most urgent and skips the rest', () => {
    const t = [60, 30, 14, 7, 3, 1, -1];
    expect(crossedIn(notAfter, t, at(20), at(-2))).toEqual({ send: -1, skipped: [1, 3, 7, 14] });
  });

  it('gives not_after ranges that hold exactly the crossing certificates', () => {
    const from = new Date('2026-06-01T00:00:00Z');
    const to = new Date('2026-06-01T01:00:00Z');
    const ranges = dueRanges([1, 7], from, to);
    expect(ranges).toEqual([
      { after: new Date(from.getTime() + D), upTo: new Date(to.getTime() + D) },
      { after: new Date(from.getTime() + 7 * D), upTo: new Date(to.getTime() + 7 * D) },
    ]);
    // A gap longer than the distance between thresholds merges the ranges.
    expect(dueRanges([1, 3], from, new Date(from.getTime() + 5 * D))).toHaveLength(1);
  });
});
