import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

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

export async function createScratchDatabase(): Promise<ScratchDatabase> {
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
