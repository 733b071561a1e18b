import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { dcvConfig } from '../../config/dcv.config.js';
import { DcvChecker } from './dcv-checker.js';

@Module({
  imports: [ConfigModule.forFeature(dcvConfig)],
  providers: [DcvChecker],
  exports: [DcvChecker],
})
export class DcvModule {}
