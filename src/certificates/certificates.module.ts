import { Module } from '@nestjs/common';
import { CertificateImports } from './certificate-import.js';
import { CertificateDetailPage } from './certificate-detail-page.js';
import { CertificatesApiController } from './certificates-api.controller.js';
import { CertificatesController } from './certificates.controller.js';
import { CertificatesService } from './certificates.service.js';

@Module({
  controllers: [CertificatesController, CertificatesApiController],
  providers: [CertificatesService, CertificateImports, CertificateDetailPage],
  exports: [CertificatesService, CertificateDetailPage],
})
export class CertificatesModule {}
