import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { CertificatesModule } from '../certificates/certificates.module.js';
import { SecretBox } from '../common/secret-box.js';
import { ordersConfig } from '../config/orders.config.js';
import { KeysModule } from '../keys/keys.module.js';
import { RequestsModule } from '../requests/requests.module.js';
import { CaAccounts } from './ca-accounts.js';
import { CollectingService } from './collecting.service.js';
import { OrderingService } from './ordering.service.js';
import { OrdersJobs } from './orders.jobs.js';
import { CertificateActionsApiController } from './certificate-actions-api.controller.js';
import { CertificateActionsController } from './certificate-actions.controller.js';
import { RenewalService } from './renewal.service.js';
import { RevocationRequestsApiController } from './revocation-requests-api.controller.js';
import { RevocationRequestsService } from './revocation-requests.service.js';
import { RevocationService } from './revocation.service.js';
import { ReconciliationApiController } from './reconciliation-api.controller.js';
import { ReconciliationController } from './reconciliation.controller.js';
import { ReconciliationService } from './reconciliation.service.js';

// The pipeline from approved to issued (ordering, collecting, reconciling) and revocation:
// above requests, certificates, keys and the CA port, which know nothing of it.
@Module({
  imports: [ConfigModule.forFeature(ordersConfig), RequestsModule, CertificatesModule, KeysModule],
  controllers: [
    ReconciliationController,
    ReconciliationApiController,
    CertificateActionsController,
    CertificateActionsApiController,
    RevocationRequestsApiController,
  ],
  providers: [
    SecretBox,
    CaAccounts,
    OrderingService,
    CollectingService,
    OrdersJobs,
    ReconciliationService,
    RevocationService,
    RenewalService,
    RevocationRequestsService,
  ],
  exports: [OrderingService, CollectingService, RevocationService],
})
export class OrdersModule {}
