import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { createRootLogger } from '../../src/common/logger.js';
import { Writable } from 'node:stream';
import { AppModule } from '../../src/app.module.js';
import { Clock } from '../../src/common/clock.js';
import { configureApp } from '../../src/configure-app.js';
import { createScratchDatabase, type ScratchDatabase } from './databases.js';
import { FakeClock } from './fake-clock.js';

export interface TestApp {
  app: NestExpressApplication;
  server: Server;
  clock: FakeClock;
  db: ScratchDatabase;
  logs: string[];
  get<T>(token: abstract new (...args: never[]) => T): T;
  close(): Promise<void>;
}

// Every scheduled job starts stopped: a tick would race the test, which runs a job by calling
// it with a time (dispatcher.run(t.clock.now())). Jobs are stopped the moment they are
// registered, before their first tick can be due. A test that wants background work starts
// the job by name: t.get(SchedulerRegistry).getCronJob('mail-dispatch').start().
class StoppedSchedules extends SchedulerRegistry {
  override addCronJob(name: string, job: Parameters<SchedulerRegistry['addCronJob']>[1]): void {
    void job.stop();
    super.addCronJob(name, job);
  }

  override addInterval<T>(name: string, intervalId: T): void {
    clearInterval(intervalId as ReturnType<typeof setInterval>);
    super.addInterval(name, intervalId);
  }

  override addTimeout<T>(name: string, timeoutId: T): void {
    clearTimeout(timeoutId as ReturnType<typeof setTimeout>);
    super.addTimeout(name, timeoutId);
  }
}

export interface TestAppOptions {
  env?: Record<string, string>;
  clock?: FakeClock;
  // Reuse another app's database (several instances on one database).
  db?: ScratchDatabase;
}

// The real application, built by the same configureApp() as main.ts, on a database of its
// own, with a controllable clock and its log lines kept for inspection.
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = options.db ?? (await createScratchDatabase());
  const ownsDb = !options.db;
  const env = { NODE_ENV: 'test', LOG_LEVEL: 'info', ...db.env, ...options.env };
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  if (!db.env.DATABASE_URL) {
    delete process.env.DATABASE_URL;
  }
  const clock = options.clock ?? new FakeClock();
  const logs: string[] = [];
  const logger: Logger = createRootLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString());
        done();
      },
    }),
  );
  try {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(Clock)
      .useValue(clock)
      .overrideProvider(SchedulerRegistry)
      .useClass(StoppedSchedules)
      .compile();
    const app = moduleRef.createNestApplication<NestExpressApplication>({
      bodyParser: false,
      logger: false,
    });
    configureApp(app, logger);
    await app.init();
    return {
      app,
      server: app.getHttpServer(),
      clock,
      db,
      logs,
      get: (token) => app.get(token),
      close: async () => {
        await app.close();
        if (ownsDb) {
          await db.drop();
        }
      },
    };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) {
        delete process.env[k];
      } else {
        process.env[k] = v;
      }
    }
  }
}
