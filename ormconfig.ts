import 'reflect-metadata';
import 'dotenv/config';
import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from './src/config/database.config.js';
import { resolveDataSourceOptions } from './src/database/data-source-options.js';

// For the TypeORM CLI (npm run typeorm -- migration:show); the app builds the same options.
export default new DataSource({
  ...(await resolveDataSourceOptions(loadDatabaseConfig())),
  migrationsRun: false,
});
