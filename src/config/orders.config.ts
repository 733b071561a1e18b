import { registerAs } from '@nestjs/config';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, durationSeconds, parseEnv } from './env.js';

const seconds = (max: number) => durationSeconds.max(max, `must be at most ${max} seconds`);

const schema = z.object({
  // The collector's first wait after an order, doubled after each "not yet" up to the most.
  CA_POLL_MIN_SECONDS: seconds(86_400).default(60),
  CA_POLL_MAX_SECONDS: seconds(86_400).default(4 * 3600),
  // The orderer's wait after the CA was unavailable, doubled after each failure up to the most.
  CA_ORDER_RETRY_MIN_SECONDS: seconds(86_400).default(60),
  CA_ORDER_RETRY_MAX_SECONDS: seconds(86_400).default(3600),
  // Roots an issued certificate's chain must lead to, beside Node's (public CAs). Ignored with
  // the simulated CA, whose own root is the only one trusted then.
  CA_ISSUER_ROOTS_FILE: z.string().optional(),
});

function readRoots(file: string): string {
  if (!existsSync(file)) {
    throw new ConfigError([`CA_ISSUER_ROOTS_FILE: ${file} does not exist`]);
  }
  const text = readFileSync(file, 'utf8');
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError([`CA_ISSUER_ROOTS_FILE: ${file} holds no PEM certificate`]);
  }
  return text;
}

// The ordering pipeline: how often the CA is asked again, and whose roots an issued
// certificate must chain to.
export function loadOrdersConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(schema, env);
  const problems: string[] = [];
  if (e.CA_POLL_MAX_SECONDS < e.CA_POLL_MIN_SECONDS) {
    problems.push('CA_POLL_MAX_SECONDS: must not be less than CA_POLL_MIN_SECONDS');
  }
  if (e.CA_ORDER_RETRY_MAX_SECONDS < e.CA_ORDER_RETRY_MIN_SECONDS) {
    problems.push('CA_ORDER_RETRY_MAX_SECONDS: must not be less than CA_ORDER_RETRY_MIN_SECONDS');
  }
  if (problems.length) {
    throw new ConfigError(problems);
  }
  return {
    pollMinSeconds: e.CA_POLL_MIN_SECONDS,
    pollMaxSeconds: e.CA_POLL_MAX_SECONDS,
    retryMinSeconds: e.CA_ORDER_RETRY_MIN_SECONDS,
    retryMaxSeconds: e.CA_ORDER_RETRY_MAX_SECONDS,
    issuerRootsPem: e.CA_ISSUER_ROOTS_FILE ? readRoots(resolve(e.CA_ISSUER_ROOTS_FILE)) : null,
  };
}

export const ordersConfig = registerAs('orders', () => loadOrdersConfig());
export type OrdersConfig = ReturnType<typeof loadOrdersConfig>;
