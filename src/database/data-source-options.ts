import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions, LoggerOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/database.config.js';
import { ENTITIES } from './entities.js';
import { MYSQL_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations/index.js';

// One function for the app, the CLI and ormconfig.ts, so they cannot drift apart.
export function buildDataSourceOptions(config: DatabaseConfig): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    synchronize: false,
    migrationsRun: config.migrationsRun,
    migrationsTableName: 'migrations',
    logging: (config.logQueries ? 'all' : ['error']) as LoggerOptions,
  };
  if (config.type === 'mysql') {
    return {
      ...common,
      type: 'mysql',
      url: config.url,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      poolSize: config.poolSize,
      migrations: MYSQL_MIGRATIONS,
      // Each migration in its own transaction where MySQL allows it (DDL commits implicitly).
      migrationsTransactionMode: 'each',
    };
  }
  mkdirSync(dirname(config.file), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: config.file,
    migrations: SQLITE_MIGRATIONS,
    migrationsTransactionMode: 'each',
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
    },
  };
}
