import { ProductsModule } from '../products/products.module.js';
import { Module } from '@nestjs/common';
import { DomainsModule } from '../domains/domains.module.js';
import { NrensModule } from '../nrens/nrens.module.js';
import { PeopleModule } from '../people/people.module.js';
import { DepartmentsController } from './departments.controller.js';
import { OrganisationsApiController } from './organisations-api.controller.js';
import { OrganisationsController } from './organisations.controller.js';
import { OrganisationsCoreModule } from './organisations-core.module.js';

// Pages and API; the service lives in OrganisationsCoreModule so that domains can use it.
@Module({
  imports: [OrganisationsCoreModule, DomainsModule, PeopleModule, NrensModule, ProductsModule],
  controllers: [OrganisationsController, DepartmentsController, OrganisationsApiController],
  exports: [OrganisationsCoreModule],
})
export class OrganisationsModule {}
