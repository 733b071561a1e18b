import { registerAs } from '@nestjs/config';
import { resolve } from 'node:path';
import { z } from 'zod';
import { LANGUAGES } from '../i18n/languages.js';
import { booleanFlag, parseEnv } from './env.js';

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce
    .number({ message: 'must be a port number' })
    .int('must be a port number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(3000),
  HOST: z.string().default('0.0.0.0'),
  BASE_URL: z.url({ message: 'must be an absolute http(s) URL' }).optional(),
  DATA_DIR: z.string().default('./data'),
  DEFAULT_LANGUAGE: z
    .enum(LANGUAGES, { message: `must be one of ${LANGUAGES.join(', ')}` })
    .default('en'),
  TRUST_PROXY: booleanFlag.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export function loadAppConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(schema, env);
  const baseUrl = (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    env: e.NODE_ENV,
    production: e.NODE_ENV === 'production',
    port: e.PORT,
    host: e.HOST,
    baseUrl,
    secureCookies: baseUrl.startsWith('https://'),
    dataDir: resolve(e.DATA_DIR),
    defaultLanguage: e.DEFAULT_LANGUAGE,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
  };
}

export const appConfig = registerAs('app', () => loadAppConfig());
export type AppConfig = ReturnType<typeof loadAppConfig>;
