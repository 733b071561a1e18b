import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { csrConfig } from '../config/csr.config.js';
import { KeysService } from './keys.service.js';

@Module({
  imports: [ConfigModule.forFeature(csrConfig)],
  providers: [KeysService],
  exports: [KeysService],
})
export class KeysModule {}
