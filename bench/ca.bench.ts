// The CA pipeline against the built-in simulated CA: orders and collections per second
// through OrderingService and CollectingService (lease claims, order rows, the lifecycle, the
// issued-certificate check, the store, the audit trail), beside the same calls made directly
// with the adapter in the same run, at the same concurrency. Prints both and the ratio;
// exits 1 below GOAL. Run with `npm run bench:ca` (BENCH_ORDERS per round, default 100, BENCH_ROUNDS, default 3; on MySQL with
// TEST_DATABASE_URL=mysql://root@127.0.0.1:3306/test).
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { CaClient, type CaOrderRequest } from '../src/ca/ca-client.js';
import { CaConnection } from '../src/ca/ca-connection.js';
import { profileOf } from '../src/ca/legacy/product-fields.js';
import { Transactions } from '../src/database/transactions.js';
import { CollectingService } from '../src/orders/collecting.service.js';
import { OrderingService } from '../src/orders/ordering.service.js';
import { BATCH } from '../src/orders/pipeline.js';
import { Product } from '../src/products/product.entity.js';
import { DIALECT } from '../test/support/databases.js';
import { PipelineFixture } from '../test/support/pipeline.js';
import { csrFor } from '../test/support/requests.js';
import { createTestApp } from '../test/support/test-app.js';

const N = Number(process.env.BENCH_ORDERS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const GOAL = 0.5;

async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        await work(items[next++]);
      }
    }),
  );
}

function rate(count: number, ms: number): number {
  return (count * 1000) / ms;
}

async function main(): Promise<void> {
  // The simulator issues on the first collection, so each order is collected once.
  const t = await createTestApp({ env: { CA_SIM_ISSUE_AFTER_POLLS: '0', LOG_LEVEL: 'warn' } });
  try {
    const fx = await new PipelineFixture(t).init('BENCH');
    console.log(
      `CA pipeline benchmark on ${DIALECT}: ${ROUNDS} rounds of ${N} orders, ${BATCH} at a time`,
    );

    const client = t.get(CaClient);
    const product = await t.get(Transactions).manager.findOneByOrFail(Product, { code: 'OV_SSL' });
    const account = t.get(CaConnection).simulatorAccount([product])!;
    const ordering = t.get(OrderingService);
    const collecting = t.get(CollectingService);
    const best = { directOrder: 0, directCollect: 0, pipelineOrder: 0, pipelineCollect: 0 };
    // Rounds alternate the two, and the best of each counts: the machine is shared, and a
    // burst of someone else's work should not decide the ratio.
    for (let round = 0; round < ROUNDS; round++) {
      const orders: CaOrderRequest[] = Array.from({ length: N }, (_, i) => ({
        foreignOrderNumber: `direct-${round}-${i}`,
        productCode: product.code,
        profile: profileOf(product),
        csrPem: csrFor([`direct${round}-${i}.${fx.domain}`]),
        names: [`direct${round}-${i}.${fx.domain}`],
        days: 90,
        organisation: null,
      }));
      const ids: number[] = [];
      for (let i = 0; i < N; i++) {
        ids.push(await fx.approved());
      }

      // The adapter alone: the same calls, the same number in flight.
      const numbers: string[] = [];
      let started = performance.now();
      await inParallel(orders, BATCH, async (o) => {
        numbers.push((await client.order(account, o)).orderNumber);
      });
      best.directOrder = Math.max(best.directOrder, rate(N, performance.now() - started));

      let ordered = 0;
      started = performance.now();
      while (ordered < N) {
        const r = await ordering.run(t.clock.now());
        if (r.refused + r.unknown + r.retrying > 0) {
          throw new Error(`unexpected outcome: ${JSON.stringify(r)}`);
        }
        ordered += r.ordered;
      }
      best.pipelineOrder = Math.max(best.pipelineOrder, rate(N, performance.now() - started));

      started = performance.now();
      await inParallel(numbers, BATCH, (n) => client.collect(account, n));
      best.directCollect = Math.max(best.directCollect, rate(N, performance.now() - started));

      t.clock.advance(61_000);
      let issued = 0;
      started = performance.now();
      while (issued < N) {
        const r = await collecting.run(t.clock.now());
        if (r.refused + r.retrying > 0 || r.issued + r.pending === 0) {
          throw new Error(`unexpected outcome: ${JSON.stringify(r)}`);
        }
        issued += r.issued;
      }
      best.pipelineCollect = Math.max(best.pipelineCollect, rate(N, performance.now() - started));
    }

    const rows = [
      ['orders', best.directOrder, best.pipelineOrder],
      ['collections', best.directCollect, best.pipelineCollect],
    ] as const;
    console.log('');
    console.log('              adapter alone/s   pipeline/s   ratio');
    let worst = Infinity;
    for (const [name, direct, pipeline] of rows) {
      const ratio = pipeline / direct;
      worst = Math.min(worst, ratio);
      console.log(
        `${name.padEnd(14)}${direct.toFixed(1).padStart(15)}${pipeline.toFixed(1).padStart(13)}${ratio.toFixed(2).padStart(8)}`,
      );
    }
    console.log('');
    console.log(
      `goal: pipeline at least ${GOAL} of the adapter's rate: ${worst >= GOAL ? 'met' : 'NOT met'}`,
    );
    process.exitCode = worst >= GOAL ? 0 : 1;
  } finally {
    await t.close();
  }
}

await main();
