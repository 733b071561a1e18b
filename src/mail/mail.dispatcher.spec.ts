import { MAX_ATTEMPTS, nextAttemptAfter } from './mail.dispatcher.js';

describe('retry schedule', () => {
  const now = new Date('2026-06-01T09:00:00Z');
  const minutesAfter = (failed: number) =>
    (nextAttemptAfter(failed, now).getTime() - now.getTime()) / 60_000;

  it('waits 1, 5, 15, 60 minutes and longer after successive failures', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(minutesAfter)).toEqual([1, 5, 15, 60, 180, 360, 720]);
  });

  it('gives up after 8 attempts, about a day after the first', () => {
    expect(MAX_ATTEMPTS).toBe(8);
    const total = [1, 2, 3, 4, 5, 6, 7].map(minutesAfter).reduce((a, b) => a + b, 0);
    expect(total / 60).toBeGreaterThan(20);
    expect(total / 60).toBeLessThan(24);
  });
});
