import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { Clock } from '../common/clock.js';
import { CollectingService } from './collecting.service.js';
import { OrderingService } from './ordering.service.js';

export const CA_ORDER_JOB = 'ca-order';
export const CA_COLLECT_JOB = 'ca-collect';

// Thin: each tick calls the service with the clock's time. Test apps start with both stopped
// and call run(now) themselves. Ticks of one job never overlap in a process; across
// instances the lease helper shares the rows out.
@Injectable()
export class OrdersJobs implements OnModuleDestroy {
  private readonly logger = new Logger(OrdersJobs.name);
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly ordering: OrderingService,
    private readonly collecting: CollectingService,
    private readonly clock: Clock,
  ) {}

  @Cron('*/20 * * * * *', { name: CA_ORDER_JOB })
  orderJob(): Promise<void> {
    return this.once(CA_ORDER_JOB, async () => {
      const r = await this.ordering.run(this.clock.now());
      if (r.ordered + r.refused + r.retrying + r.unknown + r.abandoned > 0) {
        this.logger.log(
          `orders: ${r.ordered} placed, ${r.refused} refused, ${r.retrying} to retry, ${r.unknown + r.abandoned} to reconcile`,
        );
      }
    });
  }

  @Cron('*/30 * * * * *', { name: CA_COLLECT_JOB })
  collectJob(): Promise<void> {
    return this.once(CA_COLLECT_JOB, async () => {
      const r = await this.collecting.run(this.clock.now());
      if (r.issued + r.refused + r.retrying > 0) {
        this.logger.log(
          `collection: ${r.issued} issued, ${r.pending} not yet, ${r.refused} refused, ${r.retrying} to retry`,
        );
      }
    });
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.running.values());
  }

  private once(name: string, work: () => Promise<void>): Promise<void> {
    const active = this.running.get(name);
    if (active) {
      return active;
    }
    const run = work()
      .catch((err: Error) => this.logger.error(`${name} failed: ${err.message}`, err.stack))
      .finally(() => this.running.delete(name));
    this.running.set(name, run);
    return run;
  }
}
