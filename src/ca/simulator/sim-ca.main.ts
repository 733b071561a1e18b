import 'reflect-metadata';
import 'dotenv/config';
import { loadCaConfig } from '../../config/ca.config.js';
import { ConfigError } from '../../config/env.js';
import { SimulatedCa } from './simulated-ca.js';
import { SIM_PRODUCTS } from './sim-products.js';

// npm run sim-ca: the simulated CA alone, for demos and for pointing an RA at it by CA_URL.
async function main(): Promise<void> {
  const config = loadCaConfig();
  const sim = config.simulator;
  const ca = await SimulatedCa.start({
    folder: sim.dir,
    // A fixed port by default, so an RA's CA_URL keeps working across restarts.
    port: process.env.CA_SIM_PORT ? sim.port : 8443,
    login: sim.login,
    password: sim.password,
    issueAfterPolls: sim.issueAfterPolls,
    slowMs: sim.slowMs,
    faults: sim.faults,
  });
  const products = SIM_PRODUCTS.map((p) => `${p.id} (${p.profile})`).join(', ');
  process.stdout.write(
    [
      'Simulated CA (legacy Sectigo API), certificates not publicly trusted',
      `  URL:        ${ca.url}`,
      `  login:      ${ca.login}`,
      `  password:   ${ca.password}`,
      `  trust file: ${ca.trustFile}`,
      `  products:   ${products}`,
      `  issues after ${ca.issueAfterPolls} poll(s)` +
        (sim.faults.length ? `; faults: ${process.env.CA_SIM_FAULTS}` : ''),
      '',
      `Point an RA at it: CA_URL=${ca.url} CA_TLS_CA_FILE=${ca.trustFile}`,
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
  const stop = (): void => {
    void ca.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
