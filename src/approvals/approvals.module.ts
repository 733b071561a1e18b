import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { approvalsConfig } from '../config/approvals.config.js';
import { OrganisationsModule } from '../organisations/organisations.module.js';
import { ProductsModule } from '../products/products.module.js';
import { RequestsModule } from '../requests/requests.module.js';
import { ApprovalsApiController } from './approvals-api.controller.js';
import { ApprovalsController } from './approvals.controller.js';
import { ApprovalsService } from './approvals.service.js';
import { AwaitingCountMiddleware } from './awaiting-count.middleware.js';
import { ApprovalDigestJob } from './approval-digest.job.js';
import { RequestExpiryJob } from './request-expiry.job.js';

@Module({
  imports: [
    ConfigModule.forFeature(approvalsConfig),
    OrganisationsModule,
    ProductsModule,
    RequestsModule,
  ],
  controllers: [ApprovalsController, ApprovalsApiController],
  providers: [ApprovalsService, RequestExpiryJob, ApprovalDigestJob, AwaitingCountMiddleware],
  exports: [ApprovalsService],
})
export class ApprovalsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(AwaitingCountMiddleware)
      .exclude({ path: 'api/{*path}', method: RequestMethod.ALL })
      .forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
