import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { approvalsConfig } from '../config/approvals.config.js';
import { OrganisationsCoreModule } from '../organisations/organisations-core.module.js';
import { RequestsModule } from '../requests/requests.module.js';
import { ApprovalsApiController } from './approvals-api.controller.js';
import { ApprovalsService } from './approvals.service.js';
import { RequestExpiryJob } from './request-expiry.job.js';

@Module({
  imports: [ConfigModule.forFeature(approvalsConfig), OrganisationsCoreModule, RequestsModule],
  controllers: [ApprovalsApiController],
  providers: [ApprovalsService, RequestExpiryJob],
  exports: [ApprovalsService],
})
export class ApprovalsModule {}
