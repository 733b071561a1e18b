import { Module } from '@nestjs/common';
import { SecretBox } from '../common/secret-box.js';
import { NrensApiController } from './nrens-api.controller.js';
import { NrensController } from './nrens.controller.js';
import { NrensService } from './nrens.service.js';

@Module({
  controllers: [NrensController, NrensApiController],
  providers: [NrensService, SecretBox],
  exports: [NrensService],
})
export class NrensModule {}
