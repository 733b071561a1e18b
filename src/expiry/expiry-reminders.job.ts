import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { Clock } from '../common/clock.js';
import { expiryConfig } from '../config/expiry.config.js';
import { ExpiryReminders } from './expiry-reminders.service.js';

export const EXPIRY_REMINDER_JOB = 'expiry-reminders';

// Thin: the schedule comes from configuration (EXPIRY_REMINDER_SCHEDULE), so the job is
// registered here rather than with @Cron; each tick calls ExpiryReminders.run(now).
@Injectable()
export class ExpiryRemindersJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ExpiryRemindersJob.name);
  private active: Promise<unknown> | null = null;

  constructor(
    private readonly reminders: ExpiryReminders,
    private readonly clock: Clock,
    private readonly schedules: SchedulerRegistry,
    @Inject(expiryConfig.KEY) private readonly config: ConfigType<typeof expiryConfig>,
  ) {}

  onApplicationBootstrap(): void {
    const job = CronJob.from({
      cronTime: this.config.schedule,
      timeZone: 'UTC',
      onTick: () => this.tick(),
      start: true,
    });
    this.schedules.addCronJob(EXPIRY_REMINDER_JOB, job);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.schedules.doesExist('cron', EXPIRY_REMINDER_JOB)) {
      this.schedules.deleteCronJob(EXPIRY_REMINDER_JOB);
    }
    await this.active;
  }

  private async tick(): Promise<void> {
    // A run still going (a slow one at a million certificates) is not overlapped.
    if (this.active) {
      return;
    }
    this.active = this.reminders
      .run(this.clock.now())
      .catch((err: Error) => this.logger.error(`expiry reminders failed: ${err.message}`))
      .finally(() => {
        this.active = null;
      });
    await this.active;
  }
}
