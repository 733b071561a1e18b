import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../organisations/organisations.module.js';
import { DcvModule } from './dcv/dcv.module.js';
import { DomainsApiController } from './domains-api.controller.js';
import { DomainsController } from './domains.controller.js';
import { DomainsService } from './domains.service.js';

@Module({
  imports: [OrganisationsModule, DcvModule],
  controllers: [DomainsController, DomainsApiController],
  providers: [DomainsService],
  exports: [DomainsService],
})
export class DomainsModule {}
