// First: V8 settings that must hold before the app allocates anything.
import './runtime-flags';
import 'reflect-metadata';
import { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { config as loadDotenv } from 'dotenv';
import { createApp } from './app-factory';
import { ConfigError, loadConfig } from './config/app-config';

async function bootstrap(): Promise<void> {
  loadDotenv({ quiet: true });
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Cloudstash cannot start: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  await app.listen(config.port);
  // The bound port (PORT=0 picks a free one), as a JSON log line like every other.
  const { port } = app.getHttpServer().address() as AddressInfo;
  const logger = new Logger('Bootstrap');
  for (const warning of config.warnings) logger.warn(warning);
  logger.log(`Cloudstash listening on http://localhost:${port} (docs at /docs, web page at /app/)`);
}

void bootstrap();
