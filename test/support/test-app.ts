import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { Client as PostgresClient } from 'pg';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app-factory';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { ObservabilityOptions } from '../../src/observability/observability.module';
import { GENEROUS_RATE_LIMITS } from './rate-limits';
import { startS3rver, TestS3 } from './s3';

type Env = Record<string, string | undefined>;

/**
 * The backing services come from the environment, as in production: DB_TYPE=mysql or postgres
 * (+ DB_HOST, DB_USER, DB_PASSWORD), REDIS_URL. Each test app gets its own database, key prefix
 * and DATA_DIR.
 */
export const services = {
  sqlite: (process.env.DB_TYPE ?? 'sqlite') === 'sqlite',
  mysql: process.env.DB_TYPE === 'mysql',
  postgres: process.env.DB_TYPE === 'postgres',
  redis: Boolean(process.env.REDIS_URL),
  /** STORAGE_DRIVER=s3 without S3_ENDPOINT: each test app gets its own in-process s3rver. */
  s3: process.env.STORAGE_DRIVER === 's3',
};

export interface TestApp {
  app: INestApplication;
  /** The test's own s3rver, when STORAGE_DRIVER=s3 came without S3_ENDPOINT. */
  s3?: TestS3;
  http: TestAgent;
  config: AppConfig;
  /**
   * Closes the app and starts a new one on the same database, session store and DATA_DIR,
   * with `overrides` applied to its environment (undefined unsets a variable).
   */
  restart(overrides?: Env): Promise<TestApp>;
  /** Closes the app and removes its database, Redis keys and DATA_DIR. */
  close(): Promise<void>;
}

export const ADMIN = { username: 'admin', password: 'admin-password-1' };

/** Runs one statement as the server's administrator, outside any test database. */
async function asDatabaseAdmin(env: Env, sql: string): Promise<void> {
  if (env.DB_TYPE === 'mysql') {
    const admin = await createConnection({ host: env.DB_HOST, port: Number(env.DB_PORT ?? 3306), user: env.DB_USER, password: env.DB_PASSWORD ?? '' });
    await admin.query(sql);
    await admin.end();
  } else {
    const admin = new PostgresClient({ host: env.DB_HOST, port: Number(env.DB_PORT ?? 5432), user: env.DB_USER, password: env.DB_PASSWORD, database: 'postgres' });
    await admin.connect();
    await admin.query(sql);
    await admin.end();
  }
}

/** A fresh database of the test's own, on a database server (MySQL/MariaDB or PostgreSQL). */
export async function createTestDatabase(env: Env, name: string): Promise<void> {
  await asDatabaseAdmin(env, env.DB_TYPE === 'mysql' ? `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4` : `CREATE DATABASE "${name}"`);
}

export async function dropTestDatabase(env: Env, name: string): Promise<void> {
  await asDatabaseAdmin(env, env.DB_TYPE === 'mysql' ? `DROP DATABASE IF EXISTS \`${name}\`` : `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

export async function startTestApp(overrides: Env = {}, observability: ObservabilityOptions = {}): Promise<TestApp> {
  const suffix = randomBytes(6).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'cloudstash-test-'));
  const env: Env = {
    ...process.env,
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    REDIS_KEY_PREFIX: `cloudstash-test-${suffix}:`,
    ...GENEROUS_RATE_LIMITS,
    ...overrides,
  };
  const databaseServer = env.DB_TYPE === 'mysql' || env.DB_TYPE === 'postgres';
  if (databaseServer) {
    env.DB_NAME = `cloudstash_test_${suffix}`;
    await createTestDatabase(env, env.DB_NAME);
  }
  let s3: TestS3 | undefined;
  if (env.STORAGE_DRIVER === 's3' && !env.S3_ENDPOINT) {
    s3 = await startS3rver();
    Object.assign(env, s3.env);
  }
  let config = loadConfig(env);

  const cleanup = async (): Promise<void> => {
    if (databaseServer && env.DB_NAME) await dropTestDatabase(env, env.DB_NAME);
    if (config.redisUrl) {
      const redis = new Redis(config.redisUrl);
      const keys = await redis.keys(`${config.redisKeyPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
    await s3?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };

  const boot = async (): Promise<TestApp> => {
    const app = await createApp(config, observability);
    await app.listen(0, '127.0.0.1');
    const testApp: TestApp = {
      app,
      s3,
      http: request(app.getHttpServer()),
      config,
      restart: async (restartOverrides?: Env) => {
        await app.close();
        if (restartOverrides) config = loadConfig({ ...env, ...restartOverrides });
        return boot();
      },
      close: async () => {
        await app.close();
        await cleanup();
      },
    };
    return testApp;
  };
  return boot();
}

export function uniqueName(prefix = 'u'): string {
  return `${prefix}${randomBytes(5).toString('hex')}`.slice(0, 20);
}
