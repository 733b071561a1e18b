import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppConfig } from './app.config.js';
import { loadDatabaseConfig } from './database.config.js';
import { configProblems as problemsOf } from './env.js';
import { loadSessionConfig } from './session.config.js';

describe('configuration', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ra-config-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('runs on defaults when nothing is set', () => {
    const app = loadAppConfig({});
    expect(app).toMatchObject({
      port: 3000,
      baseUrl: 'http://localhost:3000',
      defaultLanguage: 'en',
      production: false,
    });
    expect(loadDatabaseConfig({ DATA_DIR: dataDir })).toMatchObject({
      type: 'sqlite',
      file: join(dataDir, 'ra.sqlite'),
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ BASE_URL: 'not a url' }, 'BASE_URL'],
    [{ DEFAULT_LANGUAGE: 'it' }, 'DEFAULT_LANGUAGE'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
  ])('refuses %j naming %s', (env, variable) => {
    const problems = problemsOf(() => loadAppConfig(env));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable}: `));
  });

  it('refuses a DATABASE_URL that is not a MySQL URL, naming the expected form', () => {
    expect(problemsOf(() => loadDatabaseConfig({ DATABASE_URL: 'postgres://x/y' }))).toEqual([
      'DATABASE_URL: must look like mysql://user:password@host:3306/database',
    ]);
    expect(loadDatabaseConfig({ DATABASE_URL: 'mysql://ra:pw@db:3306/ra' })).toMatchObject({
      type: 'mysql',
    });
  });

  it('refuses to start in production without SESSION_SECRET', () => {
    expect(
      problemsOf(() => loadSessionConfig({ NODE_ENV: 'production', DATA_DIR: dataDir })),
    ).toEqual(['SESSION_SECRET: is required when NODE_ENV=production']);
    expect(
      problemsOf(() => loadSessionConfig({ SESSION_SECRET: 'short', DATA_DIR: dataDir }))[0],
    ).toMatch(/^SESSION_SECRET: must be at least 32 characters/);
  });

  it('generates a development secret once and keeps it in the data folder', () => {
    const first = loadSessionConfig({ DATA_DIR: dataDir });
    expect(existsSync(join(dataDir, 'session-secret'))).toBe(true);
    expect(readFileSync(join(dataDir, 'session-secret'), 'utf8').trim()).toBe(first.secret);
    expect(loadSessionConfig({ DATA_DIR: dataDir }).secret).toBe(first.secret);
  });
});
