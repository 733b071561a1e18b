import { existsSync, readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Logger, type OnModuleDestroy } from '@nestjs/common';
import type { CaConfig } from '../config/ca.config.js';
import type { Clock } from '../common/clock.js';
import type { CaAccount } from './ca-client.js';
import { LegacyCaClient } from './legacy/legacy-ca.client.js';
import { SimulatedCa } from './simulator/simulated-ca.js';
import { profileOf } from './legacy/product-fields.js';
import { simProductId } from './simulator/sim-products.js';

// Which CA the RA talks to: a real one at CA_URL, or the built-in simulator started here.
// Pages read `simulated` for their banner; with the simulator, `simulatorAccount()` is the
// account it accepts, for NRENs that have none of their own.
export class CaConnection implements OnModuleDestroy {
  constructor(
    readonly url: string,
    readonly client: LegacyCaClient,
    readonly simulator: SimulatedCa | null,
  ) {}

  static async open(config: CaConfig, clock: Clock): Promise<CaConnection> {
    const settings = {
      connectTimeoutMs: config.connectTimeoutMs,
      replyTimeoutMs: config.replyTimeoutMs,
      testOrders: config.testOrders,
      retry: config.retry,
    };
    if (config.url) {
      const client = new LegacyCaClient({
        ...settings,
        baseUrl: config.url,
        trust: config.tlsCaPem ? trustWith(config.tlsCaPem) : undefined,
      });
      return new CaConnection(config.url.toString(), client, null);
    }
    const sim = config.simulator;
    const simulator = await SimulatedCa.start({
      folder: sim.dir,
      port: sim.port,
      login: sim.login,
      password: sim.password,
      issueAfterPolls: sim.issueAfterPolls,
      slowMs: sim.slowMs,
      faults: sim.faults,
      now: () => clock.now(),
    });
    new Logger('CaModule').warn(
      `No CA_URL: certificates come from the built-in simulated CA at ${simulator.url}`,
    );
    // Only the simulator's own root: the app talks to nothing else through this client.
    const client = new LegacyCaClient({
      ...settings,
      baseUrl: new URL(simulator.url),
      trust: [simulator.trustPem],
    });
    return new CaConnection(simulator.url, client, simulator);
  }

  get simulated(): boolean {
    return this.simulator !== null;
  }

  // The account the simulator accepts, with each catalogue product mapped to the simulated
  // product of its kind. Null when a real CA is configured.
  simulatorAccount(products: readonly Parameters<typeof profileOf>[0][]): CaAccount | null {
    if (!this.simulator) {
      return null;
    }
    return {
      loginName: this.simulator.login,
      password: this.simulator.password,
      customerId: null,
      productIds: Object.fromEntries(products.map((p) => [p.code, simProductId(profileOf(p))])),
    };
  }

  async onModuleDestroy(): Promise<void> {
    await this.simulator?.close();
  }
}

// Setting `ca` replaces Node's trust store, so the defaults and NODE_EXTRA_CA_CERTS are
// put back beside the extra file.
function trustWith(extraPem: string): string[] {
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  return [
    ...rootCertificates,
    ...(extra && existsSync(extra) ? [readFileSync(extra, 'utf8')] : []),
    extraPem,
  ];
}
