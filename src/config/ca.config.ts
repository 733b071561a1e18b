import { registerAs } from '@nestjs/config';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { booleanFlag, ConfigError, parseEnv } from './env.js';

export const SIM_OPERATIONS = ['order', 'collect', 'revoke', 'replace'] as const;
export type SimOperation = (typeof SIM_OPERATIONS)[number];

export type SimFaultKind = 'http-500' | 'garbage' | 'slow' | 'drop' | { code: number };

export interface SimFault {
  operation: SimOperation;
  kind: SimFaultKind;
  // How many calls it affects; Infinity: all of them.
  times: number;
}

// CA_SIM_FAULTS: comma-separated operation:fault[*times], where fault is http-500, garbage,
// slow, drop or an error code such as -16. Example: order:drop*1,collect:http-500.
export function parseSimFaults(value: string): SimFault[] | string {
  const faults: SimFault[] = [];
  for (const entry of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m =
      /^(order|collect|revoke|replace):(http-500|garbage|slow|drop|-\d{1,3})(?:\*(\d{1,6}))?$/.exec(
        entry,
      );
    if (!m) {
      return entry;
    }
    const kind = m[2].startsWith('-') ? { code: Number(m[2]) } : (m[2] as SimFaultKind);
    faults.push({
      operation: m[1] as SimOperation,
      kind,
      times: m[3] ? Number(m[3]) : Infinity,
    });
  }
  return faults;
}

const millis = (max: number) =>
  z.coerce
    .number({ message: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .positive('must be greater than zero')
    .max(max, `must be at most ${max}`);

const port = z.coerce
  .number({ message: 'must be a port number' })
  .int('must be a port number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const schema = z.object({
  DATA_DIR: z.string().default('./data'),
  CA_URL: z
    .url({
      protocol: /^https$/,
      message: 'must be an https:// URL, such as https://secure.trust-provider.com/products/',
    })
    .optional(),
  CA_TLS_CA_FILE: z.string().optional(),
  CA_CONNECT_TIMEOUT_MS: millis(600_000).default(10_000),
  CA_REPLY_TIMEOUT_MS: millis(600_000).default(60_000),
  CA_TEST_ORDERS: booleanFlag.default(false),
  CA_RETRY_ATTEMPTS: z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(10, 'must be at most 10')
    .default(4),
  CA_RETRY_BASE_DELAY_MS: millis(600_000).default(1_000),
  CA_RETRY_MAX_DELAY_MS: millis(600_000).default(30_000),
  CA_SIM_PORT: port.default(0),
  CA_SIM_ISSUE_AFTER_POLLS: z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(0, 'must be 0 or more')
    .max(1000, 'must be at most 1000')
    .default(1),
  CA_SIM_FAULTS: z
    .string()
    .transform((value, ctx) => {
      const parsed = parseSimFaults(value);
      if (typeof parsed === 'string') {
        ctx.addIssue({
          code: 'custom',
          message: `'${parsed}' is not operation:fault[*times] (operations order, collect, revoke, replace; faults http-500, garbage, slow, drop or an error code such as -16)`,
        });
        return z.NEVER;
      }
      return parsed;
    })
    .optional(),
  CA_SIM_SLOW_MS: millis(600_000).optional(),
  CA_SIM_LOGIN: z.string().max(100).default('simulated-nren'),
  CA_SIM_PASSWORD: z.string().max(200).default('simulated-password'),
});

function readTrustFile(file: string): string {
  if (!existsSync(file)) {
    throw new ConfigError([`CA_TLS_CA_FILE: ${file} does not exist`]);
  }
  const text = readFileSync(file, 'utf8');
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError([`CA_TLS_CA_FILE: ${file} holds no PEM certificate`]);
  }
  return text;
}

export function loadCaConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(schema, env);
  if (e.CA_RETRY_MAX_DELAY_MS < e.CA_RETRY_BASE_DELAY_MS) {
    throw new ConfigError(['CA_RETRY_MAX_DELAY_MS: must not be less than CA_RETRY_BASE_DELAY_MS']);
  }
  if (e.CA_TLS_CA_FILE && !e.CA_URL) {
    throw new ConfigError([
      'CA_TLS_CA_FILE: only applies with CA_URL (the simulated CA is trusted by itself)',
    ]);
  }
  // Keep the base URL's path: endpoint names are resolved against it.
  const url = e.CA_URL ? new URL(e.CA_URL.endsWith('/') ? e.CA_URL : `${e.CA_URL}/`) : null;
  return {
    url,
    // PEM text of the extra trust anchors for the CA's TLS server, read once at start.
    tlsCaFile: e.CA_TLS_CA_FILE ? resolve(e.CA_TLS_CA_FILE) : null,
    tlsCaPem: e.CA_TLS_CA_FILE ? readTrustFile(resolve(e.CA_TLS_CA_FILE)) : null,
    connectTimeoutMs: e.CA_CONNECT_TIMEOUT_MS,
    replyTimeoutMs: e.CA_REPLY_TIMEOUT_MS,
    testOrders: e.CA_TEST_ORDERS,
    retry: {
      attempts: e.CA_RETRY_ATTEMPTS,
      baseDelayMs: e.CA_RETRY_BASE_DELAY_MS,
      maxDelayMs: e.CA_RETRY_MAX_DELAY_MS,
    },
    simulator: {
      dir: join(resolve(e.DATA_DIR), 'sim-ca'),
      port: e.CA_SIM_PORT,
      issueAfterPolls: e.CA_SIM_ISSUE_AFTER_POLLS,
      faults: e.CA_SIM_FAULTS ?? [],
      // Past the reply timeout by default, so the slow fault is one the adapter notices.
      slowMs: e.CA_SIM_SLOW_MS ?? e.CA_REPLY_TIMEOUT_MS + 1_000,
      login: e.CA_SIM_LOGIN,
      password: e.CA_SIM_PASSWORD,
    },
  };
}

export const caConfig = registerAs('ca', () => loadCaConfig());
export type CaConfig = ReturnType<typeof loadCaConfig>;
export type SimulatorConfig = CaConfig['simulator'];
