import { registerAs } from '@nestjs/config';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { booleanFlag, parseEnv } from './env.js';

const schema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^mysql:\/\/[^/]+\/[^/?]+/, {
      message: 'must look like mysql://user:password@host:3306/database',
    })
    .optional(),
  DATA_DIR: z.string().default('./data'),
  DATABASE_MIGRATIONS_RUN: booleanFlag.default(true),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_LOG_QUERIES: booleanFlag.default(false),
});

export type DatabaseConfig =
  | { type: 'mysql'; url: string; migrationsRun: boolean; poolSize: number; logQueries: boolean }
  | { type: 'sqlite'; file: string; migrationsRun: boolean; logQueries: boolean };

export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const e = parseEnv(schema, env);
  if (e.DATABASE_URL) {
    return {
      type: 'mysql',
      url: e.DATABASE_URL,
      migrationsRun: e.DATABASE_MIGRATIONS_RUN,
      poolSize: e.DATABASE_POOL_SIZE,
      logQueries: e.DATABASE_LOG_QUERIES,
    };
  }
  return {
    type: 'sqlite',
    file: join(resolve(e.DATA_DIR), 'ra.sqlite'),
    migrationsRun: e.DATABASE_MIGRATIONS_RUN,
    logQueries: e.DATABASE_LOG_QUERIES,
  };
}

export const databaseConfig = registerAs('database', () => loadDatabaseConfig());
