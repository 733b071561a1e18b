import { registerAs } from '@nestjs/config';
import { z } from 'zod';
import { parseEnv } from './env.js';

// Importing by host name: how many servers one upload may name, how long one may take to
// present its certificate, and how many are contacted at once.
const schema = z.object({
  IMPORT_MAX_HOSTS: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 5000')
    .max(5000, 'must be between 1 and 5000')
    .default(500),
  IMPORT_TLS_TIMEOUT: z.coerce
    .number({ message: 'must be a number of seconds' })
    .positive('must be greater than zero')
    .max(60, 'must be at most 60 seconds')
    .default(10),
  IMPORT_CONCURRENCY: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 64')
    .max(64, 'must be between 1 and 64')
    .default(8),
});

export function loadImportConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(schema, env);
  return {
    maxHosts: e.IMPORT_MAX_HOSTS,
    timeoutMs: Math.round(e.IMPORT_TLS_TIMEOUT * 1000),
    concurrency: e.IMPORT_CONCURRENCY,
  };
}

export const importConfig = registerAs('import', () => loadImportConfig());
export type ImportConfig = ReturnType<typeof loadImportConfig>;
