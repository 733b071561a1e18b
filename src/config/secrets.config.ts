import { registerAs } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, parseEnv } from './env.js';

const schema = z.object({
  NODE_ENV: z.string().default('development'),
  DATA_DIR: z.string().default('./data'),
  SECRETS_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, {
      message: 'must be 32 random bytes in base64 (openssl rand -base64 32)',
    })
    .optional(),
});

function developmentKey(dataDir: string): Buffer {
  const file = join(dataDir, 'secrets-key');
  if (existsSync(file)) {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600 });
  return key;
}

// The key that encrypts secrets kept in the database (the NRENs' CA passwords).
export function loadSecretsConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(schema, env);
  if (!e.SECRETS_KEY && e.NODE_ENV === 'production') {
    throw new ConfigError(['SECRETS_KEY: is required when NODE_ENV=production']);
  }
  return {
    key: e.SECRETS_KEY ? Buffer.from(e.SECRETS_KEY, 'base64') : developmentKey(resolve(e.DATA_DIR)),
  };
}

export const secretsConfig = registerAs('secrets', () => loadSecretsConfig());
