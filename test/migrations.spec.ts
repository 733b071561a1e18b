import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from '../src/config/database.config.js';
import { resolveDataSourceOptions } from '../src/database/data-source-options.js';
import { createScratchDatabase, DIALECT, type ScratchDatabase } from './support/databases.js';

async function dataSourceFor(db: ScratchDatabase): Promise<DataSource> {
  const config = loadDatabaseConfig({ ...db.env, DATABASE_MIGRATIONS_RUN: 'false' });
  return new DataSource(await resolveDataSourceOptions(config));
}

describe(`migrations on ${DIALECT}`, () => {
  let db: ScratchDatabase;
  let ds: DataSource;

  beforeEach(async () => {
    db = await createScratchDatabase({ empty: true });
    ds = await dataSourceFor(db);
    await ds.initialize();
  });
  afterEach(async () => {
    if (ds.isInitialized) {
      await ds.destroy();
    }
    await db.drop();
  });

  it('build exactly the schema the entities describe', async () => {
    await ds.runMigrations();
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('can be undone step by step and applied again', async () => {
    const applied = await ds.runMigrations();
    for (let i = 0; i < applied.length; i++) {
      await ds.undoLastMigration();
    }
    const rows: Record<string, string>[] = await ds.query(
      DIALECT === 'mysql' ? 'SHOW TABLES' : "SELECT name FROM sqlite_master WHERE type = 'table'",
    );
    const tables = rows.map((r) => Object.values(r)[0]);
    expect(tables.filter((n) => n !== 'migrations' && !n.startsWith('sqlite_'))).toEqual([]);
    await ds.runMigrations();
    expect((await ds.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });

  it('keep existing data when the application starts again and migrates', async () => {
    await ds.runMigrations();
    await ds.query(
      "INSERT INTO users (email, display_name, active, version) VALUES ('keep@example.org', 'Keep', 1, 1)",
    );
    await ds.destroy();
    const again = await dataSourceFor(db);
    await again.initialize();
    expect(await again.runMigrations()).toEqual([]);
    const rows: { email: string }[] = await again.query('SELECT email FROM users');
    expect(rows.map((r) => r.email)).toEqual(['keep@example.org']);
    await again.destroy();
  });
});
