import 'reflect-metadata';
import 'dotenv/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { createRootLogger, PinoNestLogger } from './common/logger.js';
import { loadAppConfig } from './config/app.config.js';
import { ConfigError } from './config/env.js';
import { configureApp } from './configure-app.js';

async function bootstrap(): Promise<void> {
  const config = loadAppConfig();
  const logger = createRootLogger(config.logLevel);
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    logger: new PinoNestLogger(logger),
    bodyParser: false,
  });
  configureApp(app, logger);
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  logger.info({ url: config.baseUrl }, `RA listening on ${config.baseUrl}`);
}

bootstrap().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error(err);
  }
  process.exit(1);
});
