import { Module } from '@nestjs/common';
import { ExpiryApiController } from './expiry-api.controller.js';
import { ExpiryReminders } from './expiry-reminders.service.js';
import { ExpiryRemindersJob } from './expiry-reminders.job.js';
import { ExpirySettingsService } from './expiry-settings.service.js';

@Module({
  controllers: [ExpiryApiController],
  providers: [ExpiryReminders, ExpiryRemindersJob, ExpirySettingsService],
  exports: [ExpiryReminders],
})
export class ExpiryModule {}
