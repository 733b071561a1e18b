import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { approvalsConfig } from '../config/approvals.config.js';
import { OrganisationsModule } from '../organisations/organisations.module.js';
import { RequestsModule } from '../requests/requests.module.js';
import { ApprovalsApiController } from './approvals-api.controller.js';
import { ApprovalsService } from './approvals.service.js';
import { RequestExpiryJob } from './request-expiry.job.js';

@Module({
  imports: [ConfigModule.forFeature(approvalsConfig), OrganisationsModule, RequestsModule],
  controllers: [ApprovalsApiController],
  providers: [ApprovalsService, RequestExpiryJob],
  exports: [ApprovalsService],
})
export class ApprovalsModule {}
