import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from '../../src/config/database.config.js';
import { resolveDataSourceOptions } from '../../src/database/data-source-options.js';

// TEST_DATABASE_URL=mysql://root@127.0.0.1:3306/test runs the suite on MySQL/MariaDB; each
// test app gets a database of its own next to that one, dropped when the app closes.
export const MYSQL_URL = process.env.TEST_DATABASE_URL;
export const DIALECT: 'mysql' | 'sqlite' = MYSQL_URL ? 'mysql' : 'sqlite';

export interface ScratchDatabase {
  dataDir: string;
  // Environment for the app: DATA_DIR always, DATABASE_URL on MySQL.
  env: Record<string, string>;
  drop(): Promise<void>;
}

function serverUrl(url: string): URL {
  const u = new URL(url);
  u.pathname = '/';
  return u;
}

// On MySQL the migrations (some 180 DDL statements, foreign keys added by ALTER TABLE) cost
// seconds per database. The first scratch database of a test run migrates a template
// database (under a server lock, so the workers build it once), reads its schema back as
// CREATE statements and notes which tables hold rows; every scratch database is then built
// from that script: the same tables, keys, triggers and seed rows, the migrations table
// included, so the app finds nothing to migrate. globalSetup names the run (TEST_RUN_ID),
// globalTeardown drops the template. migrations.spec.ts still runs the migrations
// themselves, on an empty database.
interface SchemaTemplate {
  database: string;
  statements: string[];
  tablesWithRows: string[];
}

// global-teardown.ts, which drops it, names it the same way.
function schemaTemplateName(mysqlUrl: string, runId: string): string {
  return `${new URL(mysqlUrl).pathname.slice(1) || 'test'}_template_${runId}`;
}

async function buildSchemaTemplate(database: string): Promise<SchemaTemplate> {
  const admin = await createConnection({ uri: serverUrl(MYSQL_URL ?? '').toString() });
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.query(
      `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    const url = new URL(MYSQL_URL ?? '');
    url.pathname = `/${database}`;
    const options = await resolveDataSourceOptions(
      loadDatabaseConfig({ DATABASE_URL: url.toString(), DATA_DIR: tmpdir() }),
    );
    const ds = new DataSource({ ...options, logging: false, migrationsRun: false });
    await ds.initialize();
    try {
      await ds.runMigrations();
    } finally {
      await ds.destroy();
    }
    await admin.query(`USE \`${database}\``);
    const [tables] = await admin.query<RowDataPacket[]>(
      `SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES
        WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`,
      [database],
    );
    const statements: string[] = [];
    const tablesWithRows: string[] = [];
    for (const { name, type } of tables as { name: string; type: string }[]) {
      if (type !== 'BASE TABLE') {
        throw new Error(`the schema template does not copy ${type} ${name}`);
      }
      const [[create]] = await admin.query<RowDataPacket[]>(`SHOW CREATE TABLE \`${name}\``);
      statements.push(String(create?.['Create Table']).replace(/ AUTO_INCREMENT=\d+/, ''));
      const [[count]] = await admin.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${name}\``);
      if (Number(count?.n) > 0) {
        tablesWithRows.push(name);
      }
    }
    const [triggers] = await admin.query<RowDataPacket[]>(
      'SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?',
      [database],
    );
    for (const { name } of triggers as { name: string }[]) {
      const [[create]] = await admin.query<RowDataPacket[]>(`SHOW CREATE TRIGGER \`${name}\``);
      statements.push(String(create?.['SQL Original Statement']).replace(/ DEFINER=\S+ /, ' '));
    }
    return { database, statements, tablesWithRows };
  } finally {
    await admin.end();
  }
}

let template: Promise<SchemaTemplate | null> | undefined;

function schemaTemplate(): Promise<SchemaTemplate | null> {
  const runId = process.env.TEST_RUN_ID;
  if (!MYSQL_URL || !runId) {
    return Promise.resolve(null);
  }
  template ??= (async () => {
    const database = schemaTemplateName(MYSQL_URL, runId);
    const file = join(tmpdir(), `${database}.json`);
    const conn = await createConnection({ uri: serverUrl(MYSQL_URL).toString() });
    try {
      await conn.query('SELECT GET_LOCK(?, 300)', [database]);
      if (!existsSync(file)) {
        writeFileSync(file, JSON.stringify(await buildSchemaTemplate(database)));
      }
      return JSON.parse(readFileSync(file, 'utf8')) as SchemaTemplate;
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [database]);
      await conn.end();
    }
  })();
  return template;
}

async function copySchema(url: string, from: SchemaTemplate): Promise<void> {
  const conn = await createConnection({ uri: url, multipleStatements: true });
  try {
    await conn.query(
      [
        'SET foreign_key_checks = 0',
        ...from.statements,
        ...from.tablesWithRows.map(
          (t) => `INSERT INTO \`${t}\` SELECT * FROM \`${from.database}\`.\`${t}\``,
        ),
        'SET foreign_key_checks = 1',
      ].join(';\n'),
    );
  } finally {
    await conn.end();
  }
}

export interface ScratchOptions {
  // An empty database instead of one with the current schema (for the migrations' own tests).
  empty?: boolean;
}

export async function createScratchDatabase(
  options: ScratchOptions = {},
): Promise<ScratchDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ra-test-'));
  if (!MYSQL_URL) {
    return {
      dataDir,
      env: { DATA_DIR: dataDir },
      drop: () => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })),
    };
  }
  const base = new URL(MYSQL_URL).pathname.slice(1) || 'test';
  const name = `${base}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection({ uri: serverUrl(MYSQL_URL).toString() });
  try {
    await admin.query(
      `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await admin.end();
  }
  const url = new URL(MYSQL_URL);
  url.pathname = `/${name}`;
  const from = options.empty ? null : await schemaTemplate();
  if (from) {
    await copySchema(url.toString(), from);
  }
  return {
    dataDir,
    env: { DATA_DIR: dataDir, DATABASE_URL: url.toString() },
    drop: async () => {
      const conn = await createConnection({ uri: serverUrl(MYSQL_URL).toString() });
      // A connection left open would keep the jest worker from exiting.
      try {
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await conn.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
