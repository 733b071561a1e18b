import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import type { DataSourceOptions, LoggerOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/database.config.js';
import { TypeOrmLogger } from './typeorm-logger.js';
import { ENTITIES } from './entities.js';
import { MYSQL_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations/index.js';

export type MysqlFlavour = 'mysql' | 'mariadb';

// TypeORM reads MariaDB's catalogue differently (it reports NULL defaults as the string
// 'NULL'); told the wrong flavour, it sees schema changes that are not there.
export async function detectMysqlFlavour(url: string): Promise<MysqlFlavour> {
  const conn = await createConnection({ uri: url, connectTimeout: 10_000 });
  try {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT VERSION() AS v');
    return String(rows[0]?.v).includes('MariaDB') ? 'mariadb' : 'mysql';
  } finally {
    await conn.end();
  }
}

// One function for the app, the CLI and ormconfig.ts, so they cannot drift apart.
export function buildDataSourceOptions(
  config: DatabaseConfig,
  flavour: MysqlFlavour = 'mysql',
): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    synchronize: false,
    migrationsRun: config.migrationsRun,
    migrationsTableName: 'migrations',
    logging: (config.logQueries ? 'all' : ['error', 'warn', 'migration']) as LoggerOptions,
    logger: new TypeOrmLogger(config.logQueries),
    maxQueryExecutionTime: 2000,
  };
  if (config.type === 'mysql') {
    return {
      ...common,
      type: flavour,
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

export async function resolveDataSourceOptions(config: DatabaseConfig): Promise<DataSourceOptions> {
  return buildDataSourceOptions(
    config,
    config.type === 'mysql' ? await detectMysqlFlavour(config.url) : undefined,
  );
}
