import { Clock } from '../../src/common/clock.js';

export class FakeClock extends Clock {
  constructor(private current: Date = new Date('2026-06-01T09:00:00Z')) {
    super();
  }

  override now(): Date {
    return new Date(this.current.getTime());
  }

  set(date: Date | string): void {
    this.current = new Date(date);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
