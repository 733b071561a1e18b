import { Module } from '@nestjs/common';
import { DomainsModule } from '../domains/domains.module.js';
import { NrensModule } from '../nrens/nrens.module.js';
import { OrganisationsModule } from '../organisations/organisations.module.js';
import { PeopleModule } from '../people/people.module.js';
import { DepartmentPageController } from './department-page.controller.js';
import { NrenPageController } from './nren-page.controller.js';
import { OrganisationPageController } from './organisation-page.controller.js';

// Pages that show several features at once sit above them, so that no feature module has
// to import another one beside it. AppModule lists this module last: its ':id' routes must
// come after the features' fixed ones such as /nrens/new.
@Module({
  imports: [NrensModule, OrganisationsModule, DomainsModule, PeopleModule],
  controllers: [NrenPageController, OrganisationPageController, DepartmentPageController],
})
export class PagesModule {}
