import { Global, Module } from '@nestjs/common';
import { AuditCheckpoints } from './audit-checkpoints.js';
import { AuditService } from './audit.service.js';

@Global()
@Module({ providers: [AuditService, AuditCheckpoints], exports: [AuditService, AuditCheckpoints] })
export class AuditModule {}
