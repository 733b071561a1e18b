import { Module } from '@nestjs/common';
import { PeopleApiController } from './people-api.controller.js';
import { PeopleController } from './people.controller.js';
import { PeopleService } from './people.service.js';
import { RolesController } from './roles.controller.js';

@Module({
  controllers: [PeopleController, PeopleApiController, RolesController],
  providers: [PeopleService],
  exports: [PeopleService],
})
export class PeopleModule {}
