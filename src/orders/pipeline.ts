import { randomInt } from 'node:crypto';
import type { CaConfig } from '../config/ca.config.js';
import { CaOutcomeUnknown, CaRefused, CaUnavailable } from '../ca/ca.errors.js';
import type { CaRefusal } from '../ca/ca-client.js';
import type { GroupCommit } from '../database/group-commit.js';
import type { Claim } from '../database/leases.js';
import type { CaOrder, OrderOutcome } from './ca-order.entity.js';

// How many rows one run of a job claims, and works on at once.
export const BATCH = 10;

// The rows one run claimed, and the group commit their outcomes share.
export interface Batch {
  claim: Claim<CaOrder>;
  commits: GroupCommit;
}

// The longest one call to the CA can take with the adapter's retries: every attempt's connect
// timeout and backoff, and one reply timeout (only a call that got through waits for a reply,
// and such a call is not repeated when it was an order). A lease outlives this by a margin,
// so a live process always records its outcome before anyone may take the row.
export function callBudgetMs(ca: Pick<CaConfig, 'connectTimeoutMs' | 'replyTimeoutMs' | 'retry'>) {
  const { attempts, maxDelayMs } = ca.retry;
  return attempts * (ca.connectTimeoutMs + maxDelayMs) + ca.replyTimeoutMs;
}

export function leaseMs(ca: Parameters<typeof callBudgetMs>[0]): number {
  return callBudgetMs(ca) + 2 * 60_000;
}

// Doubling from min to max, then "equal jitter": half the wait fixed, half random, so
// instances that failed together do not all come back at the same second.
export function backoffSeconds(failures: number, minSeconds: number, maxSeconds: number): number {
  const base = Math.min(maxSeconds, minSeconds * 2 ** Math.max(0, Math.min(failures - 1, 30)));
  return jitter(base);
}

export function jitter(seconds: number): number {
  const half = Math.floor(seconds / 2);
  return seconds - half + (half > 0 ? randomInt(half + 1) : 0);
}

// The collector's next interval: doubled after each "not issued yet", within the bounds.
export function nextPollInterval(current: number, minSeconds: number, maxSeconds: number): number {
  return current <= 0 ? minSeconds : Math.min(maxSeconds, current * 2);
}

export function after(now: Date, seconds: number): Date {
  return new Date(now.getTime() + seconds * 1000);
}

export function refusalOutcome(refusal: CaRefusal): OrderOutcome {
  return { key: refusal.messageKey, params: refusal.params, caCode: refusal.caCode };
}

// What a failed call to the CA comes to for the order: a definite refusal, a retry, or an
// outcome nobody knows. Any other error during an order call is treated as unknown: the
// order may have left before it was thrown.
export type CallFailure =
  | { kind: 'refused'; outcome: OrderOutcome }
  | { kind: 'unavailable'; outcome: OrderOutcome }
  | { kind: 'unknown'; outcome: OrderOutcome };

export function classifyFailure(err: unknown): CallFailure {
  if (err instanceof CaRefused) {
    return { kind: 'refused', outcome: refusalOutcome(err.refusal) };
  }
  if (err instanceof CaUnavailable) {
    return {
      kind: 'unavailable',
      outcome: { key: 'orders.outcomes.unavailable', params: { failure: err.failure } },
    };
  }
  if (err instanceof CaOutcomeUnknown) {
    return {
      kind: 'unknown',
      outcome: { key: 'orders.outcomes.outcome_unknown', params: { failure: err.failure } },
    };
  }
  return {
    kind: 'unknown',
    outcome: { key: 'orders.outcomes.outcome_unknown', params: { failure: 'internal-error' } },
  };
}

export function pemToDer(pem: string): Uint8Array {
  const body = pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(body, 'base64'));
}

// Every certificate in a PEM bundle, as DER.
export function pemBundle(text: string): Uint8Array[] {
  return (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    pemToDer,
  );
}
