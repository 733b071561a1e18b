import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { PasswordResetsController } from './password-resets.controller.js';
import { PasswordResetsService } from './password-resets.service.js';
import { PeopleApiController } from './people-api.controller.js';
import { PeopleController } from './people.controller.js';
import { PeopleService } from './people.service.js';
import { RolesController } from './roles.controller.js';

@Module({
  imports: [AccountsModule],
  controllers: [PeopleController, PeopleApiController, RolesController, PasswordResetsController],
  providers: [PeopleService, PasswordResetsService],
  exports: [PeopleService],
})
export class PeopleModule {}
