import { Injectable } from '@nestjs/common';
import { Histogram, Registry } from 'prom-client';

// The application's Prometheus registry, one per app (tests run several in one process).
// Features record into it; src/metrics serves it at /metrics.
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly caCalls = new Histogram({
    name: 'tcs_ca_call_duration_seconds',
    help: 'Calls to the CA by operation and outcome (ok, refused, error), with their latency',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  // Wraps every method of a port so that each call is timed and counted by outcome.
  metered<T extends object>(port: T, classify: (err: unknown) => string): T {
    const calls = this.caCalls;
    return new Proxy(port, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function' || typeof prop !== 'string') {
          return value;
        }
        return async (...args: unknown[]) => {
          const end = calls.startTimer({ operation: prop });
          try {
            const result: unknown = await (value as (...a: unknown[]) => unknown).apply(
              target,
              args,
            );
            end({ outcome: 'ok' });
            return result;
          } catch (err) {
            end({ outcome: classify(err) });
            throw err;
          }
        };
      },
    });
  }
}
