import { Module } from '@nestjs/common';
import { NrensModule } from '../nrens/nrens.module.js';
import { DepartmentsController } from './departments.controller.js';
import { OrganisationsApiController } from './organisations-api.controller.js';
import { OrganisationsController } from './organisations.controller.js';
import { OrganisationsService } from './organisations.service.js';

@Module({
  imports: [NrensModule],
  controllers: [OrganisationsController, DepartmentsController, OrganisationsApiController],
  providers: [OrganisationsService],
  exports: [OrganisationsService],
})
export class OrganisationsModule {}
