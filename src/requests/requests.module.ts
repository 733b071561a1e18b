import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module.js';
import { ProductsModule } from '../products/products.module.js';
import { CsrEvaluationService } from './csr-evaluation.service.js';
import { RequestLifecycle } from './request-lifecycle.js';
import { RequestsApiController } from './requests-api.controller.js';
import { RequestsController } from './requests.controller.js';
import { RequestsService } from './requests.service.js';
import { UploadsMiddleware } from './uploads.middleware.js';

@Module({
  imports: [KeysModule, ProductsModule],
  controllers: [RequestsController, RequestsApiController],
  providers: [RequestsService, CsrEvaluationService, RequestLifecycle],
  exports: [RequestsService, RequestLifecycle],
})
export class RequestsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(UploadsMiddleware)
      .forRoutes(
        { path: 'requests/check', method: RequestMethod.POST },
        { path: 'requests', method: RequestMethod.POST },
      );
  }
}
