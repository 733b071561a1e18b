import { Module } from '@nestjs/common';
import { ApprovalsModule } from '../approvals/approvals.module.js';
import { CertificatesModule } from '../certificates/certificates.module.js';
import { RequestsModule } from '../requests/requests.module.js';
import { AuditController } from './audit.controller.js';
import { RequestPageController } from './request-page.controller.js';
import { DomainsModule } from '../domains/domains.module.js';
import { NrensModule } from '../nrens/nrens.module.js';
import { OrganisationsModule } from '../organisations/organisations.module.js';
import { PeopleModule } from '../people/people.module.js';
import { ProductsModule } from '../products/products.module.js';
import { DepartmentPageController } from './department-page.controller.js';
import { NrenPageController } from './nren-page.controller.js';
import { OrganisationPageController } from './organisation-page.controller.js';

// Pages that show several features at once sit above them, so that no feature module has
// to import another one beside it. AppModule lists this module last: its ':id' routes must
// come after the features' fixed ones such as /nrens/new.
@Module({
  imports: [
    NrensModule,
    OrganisationsModule,
    DomainsModule,
    PeopleModule,
    ProductsModule,
    RequestsModule,
    CertificatesModule,
    ApprovalsModule,
  ],
  controllers: [
    NrenPageController,
    OrganisationPageController,
    DepartmentPageController,
    RequestPageController,
    AuditController,
  ],
})
export class PagesModule {}
