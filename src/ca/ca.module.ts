import { Global, Module } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { caConfig, type CaConfig } from '../config/ca.config.js';
import { CaClient } from './ca-client.js';
import { CaConnection } from './ca-connection.js';

// Global like mail: the request lifecycle, the collector and revocation inject CaClient.
@Global()
@Module({
  providers: [
    {
      provide: CaConnection,
      inject: [caConfig.KEY, Clock],
      useFactory: (config: CaConfig, clock: Clock) => CaConnection.open(config, clock),
    },
    { provide: CaClient, inject: [CaConnection], useFactory: (c: CaConnection) => c.client },
  ],
  exports: [CaClient, CaConnection],
})
export class CaModule {}
