import { CaOutcomeUnknown, CaRefused, CaUnavailable } from '../ca/ca.errors.js';
import {
  backoffSeconds,
  callBudgetMs,
  classifyFailure,
  jitter,
  leaseMs,
  nextPollInterval,
} from './pipeline.js';

describe('pipeline timing', () => {
  it('doubles the poll interval from the least to the most', () => {
    const seen: number[] = [];
    let current = 0;
    for (let i = 0; i < 10; i++) {
      current = nextPollInterval(current, 60, 14_400);
      seen.push(current);
    }
    expect(seen).toEqual([60, 120, 240, 480, 960, 1920, 3840, 7680, 14_400, 14_400]);
  });

  it('backs off with half the wait fixed and half random, within the bounds', () => {
    for (let failures = 1; failures <= 40; failures++) {
      const base = Math.min(3600, 60 * 2 ** (failures - 1));
      for (let i = 0; i < 20; i++) {
        const wait = backoffSeconds(failures, 60, 3600);
        expect(wait).toBeGreaterThanOrEqual(Math.ceil(base / 2));
        expect(wait).toBeLessThanOrEqual(base);
      }
    }
    expect(new Set(Array.from({ length: 50 }, () => jitter(600))).size).toBeGreaterThan(1);
  });

  it('leases a row for longer than the longest call to the CA can take', () => {
    const ca = {
      connectTimeoutMs: 10_000,
      replyTimeoutMs: 60_000,
      retry: { attempts: 4, baseDelayMs: 1_000, maxDelayMs: 30_000 },
    };
    expect(callBudgetMs(ca)).toBe(4 * 40_000 + 60_000);
    expect(leaseMs(ca)).toBeGreaterThan(callBudgetMs(ca));
  });
});

describe('what a failed call comes to', () => {
  it('refused, unavailable, unknown; anything else counts as unknown', () => {
    const refusal = { caCode: -40, messageKey: 'ca.codes.-40', params: {} };
    expect(classifyFailure(new CaRefused('order', refusal))).toEqual({
      kind: 'refused',
      outcome: { key: 'ca.codes.-40', params: {}, caCode: -40 },
    });
    expect(classifyFailure(new CaUnavailable('order', 'connect-failed', 'x', 4)).kind).toBe(
      'unavailable',
    );
    expect(classifyFailure(new CaOutcomeUnknown('order', 'connection-dropped', 'x')).kind).toBe(
      'unknown',
    );
    expect(classifyFailure(new TypeError('bug'))).toEqual({
      kind: 'unknown',
      outcome: { key: 'orders.outcomes.outcome_unknown', params: { failure: 'internal-error' } },
    });
  });
});
