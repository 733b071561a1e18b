import { Global, Module } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { caConfig, type CaConfig } from '../config/ca.config.js';
import { Metrics } from '../common/metrics.js';
import { CaClient } from './ca-client.js';
import { CaRefused, CaUnavailable } from './ca.errors.js';
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
    {
      provide: CaClient,
      inject: [CaConnection, Metrics],
      // Every call timed and counted by outcome (GET /metrics).
      useFactory: (c: CaConnection, metrics: Metrics) =>
        metrics.metered(c.client, (err) =>
          err instanceof CaRefused
            ? 'refused'
            : err instanceof CaUnavailable
              ? 'unavailable'
              : 'error',
        ),
    },
  ],
  exports: [CaClient, CaConnection],
})
export class CaModule {}
