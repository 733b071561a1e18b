import request from 'supertest';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from './support/test-app.js';
import { DIALECT } from './support/databases.js';

describe('GET /healthz', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers 200 with the database state while the database answers', async () => {
    const res = await request(t.server).get('/healthz').expect(200);
    expect(res.body).toEqual({
      status: 'ok',
      database: 'up',
      dialect: DIALECT === 'mysql' ? expect.stringMatching(/^(mysql|mariadb)$/) : 'better-sqlite3',
    });
  });

  it('answers 503 when the database is gone', async () => {
    const ds = t.app.get<DataSource>(getDataSourceToken());
    await ds.destroy();
    const res = await request(t.server).get('/healthz').expect(503);
    expect(res.body).toMatchObject({ status: 'error', database: 'down' });
    await ds.initialize();
  });
});
