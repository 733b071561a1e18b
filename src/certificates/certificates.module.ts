import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { dcvConfig } from '../config/dcv.config.js';
import { importConfig } from '../config/import.config.js';
import { CertificateImports } from './certificate-import.js';
import { CertificatesApiController } from './certificates-api.controller.js';
import { CertificatesController } from './certificates.controller.js';
import { CertificatesService } from './certificates.service.js';
import { PresentedCertificates } from './presented-certificates.js';

@Module({
  imports: [ConfigModule.forFeature(dcvConfig), ConfigModule.forFeature(importConfig)],
  controllers: [CertificatesController, CertificatesApiController],
  providers: [CertificatesService, CertificateImports, PresentedCertificates],
  exports: [CertificatesService, CertificateImports],
})
export class CertificatesModule {}
