import { buildCss } from '../../scripts/build-css.js';
import { createConnection } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';

export default async function globalSetup(): Promise<void> {
  // Pages link the compiled stylesheet; browser tests measure layouts with it.
  await buildCss();
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    console.log('\nTests run on the embedded SQLite database (set TEST_DATABASE_URL for MySQL).');
    return;
  }
  try {
    const conn = await createConnection({ uri: url, connectTimeout: 5000 });
    const [rows] = await conn.query('SELECT VERSION() AS v');
    await conn.end();
    console.log(
      `\nTests run on MySQL/MariaDB ${(rows as { v: string }[])[0]?.v} at ${new URL(url).host}.`,
    );
  } catch (err) {
    throw new Error(`TEST_DATABASE_URL=${url} is not reachable: ${(err as Error).message}`);
  }
  // Names this run's MySQL schema template (test/support/databases.ts); the workers inherit it.
  process.env.TEST_RUN_ID = `${process.pid}_${randomBytes(3).toString('hex')}`;
}
