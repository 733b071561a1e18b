import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

// Drops the run's MySQL schema template (test/support/databases.ts builds it). Loaded
// without the test transform's module mapping, like global-setup.ts: plain imports only.
export default async function globalTeardown(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  const runId = process.env.TEST_RUN_ID;
  if (!url || !runId) {
    return;
  }
  const server = new URL(url);
  const database = `${server.pathname.slice(1) || 'test'}_template_${runId}`;
  server.pathname = '/';
  const conn = await createConnection({ uri: server.toString() });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await conn.end();
  }
  rmSync(join(tmpdir(), `${database}.json`), { force: true });
}
