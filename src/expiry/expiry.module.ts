import { CertificatesModule } from '../certificates/certificates.module.js';
import { Module } from '@nestjs/common';
import { ExpiriesController } from './expiries.controller.js';
import { Expiries } from './expiries.js';
import { ExpiryApiController } from './expiry-api.controller.js';
import { ExpiryReminders } from './expiry-reminders.service.js';
import { ExpiryRemindersJob } from './expiry-reminders.job.js';
import { ExpirySettingsService } from './expiry-settings.service.js';

@Module({
  imports: [CertificatesModule],
  controllers: [ExpiryApiController, ExpiriesController],
  providers: [Expiries, ExpiryReminders, ExpiryRemindersJob, ExpirySettingsService],
  exports: [ExpiryReminders],
})
export class ExpiryModule {}
