import { registerAs } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { booleanFlag, ConfigError, durationSeconds, parseEnv } from './env.js';

const schema = z.object({
  NODE_ENV: z.string().default('development'),
  DATA_DIR: z.string().default('./data'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SESSION_IDLE_TIMEOUT: durationSeconds.default(30 * 60),
  SESSION_ABSOLUTE_TIMEOUT: durationSeconds.default(12 * 60 * 60),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  LOGIN_ACCOUNT_MAX_FAILURES: z.coerce.number().int().min(1).max(100000).default(50),
  LOGIN_FAILURE_WINDOW: durationSeconds.default(15 * 60),
  // Approvers and administrators must have a second factor (TOTP) to use the pages.
  TOTP_REQUIRED: booleanFlag.optional(),
});

// Outside production a missing secret is generated once and kept in the data folder, so
// sessions survive restarts; production must be told one.
function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) {
    return readFileSync(file, 'utf8').trim();
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

export function loadSessionConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(schema, env);
  if (!e.SESSION_SECRET && e.NODE_ENV === 'production') {
    throw new ConfigError(['SESSION_SECRET: is required when NODE_ENV=production']);
  }
  return {
    secret: e.SESSION_SECRET ?? developmentSecret(resolve(e.DATA_DIR)),
    idleTimeoutMs: e.SESSION_IDLE_TIMEOUT * 1000,
    absoluteTimeoutMs: e.SESSION_ABSOLUTE_TIMEOUT * 1000,
    loginMaxFailures: e.LOGIN_MAX_FAILURES,
    // Account-wide, from any address: never below the per-address count.
    loginAccountMaxFailures: Math.max(e.LOGIN_ACCOUNT_MAX_FAILURES, e.LOGIN_MAX_FAILURES),
    loginFailureWindowMs: e.LOGIN_FAILURE_WINDOW * 1000,
    totpRequired: e.TOTP_REQUIRED ?? e.NODE_ENV === 'production',
  };
}

export const sessionConfig = registerAs('session', () => loadSessionConfig());
export type SessionConfig = ReturnType<typeof loadSessionConfig>;
