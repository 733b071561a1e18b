import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { dcvConfig } from '../config/dcv.config.js';
import { importConfig } from '../config/import.config.js';
import { CertificateImports } from './certificate-import.js';
import { CertificateImportsController } from './certificate-imports.controller.js';
import { ImportUploadsMiddleware } from './import-uploads.middleware.js';
import { CertificatesApiController } from './certificates-api.controller.js';
import { CertificatesController } from './certificates.controller.js';
import { CertificatesService } from './certificates.service.js';
import { PresentedCertificates } from './presented-certificates.js';

@Module({
  imports: [ConfigModule.forFeature(dcvConfig), ConfigModule.forFeature(importConfig)],
  // The import page first: /certificates/import is not a certificate's id.
  controllers: [CertificateImportsController, CertificatesController, CertificatesApiController],
  providers: [CertificatesService, CertificateImports, PresentedCertificates],
  exports: [CertificatesService, CertificateImports],
})
export class CertificatesModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(ImportUploadsMiddleware)
      .forRoutes({ path: 'certificates/import', method: RequestMethod.POST });
  }
}
