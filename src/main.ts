import 'reflect-metadata';
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
  process.stdout.write(`Cloudstash listening on http://localhost:${config.port} (docs at /docs, web page at /app/)\n`);
}

void bootstrap();
