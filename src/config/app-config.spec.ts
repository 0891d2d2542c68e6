import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseDuration } from './app-config';

type Env = Record<string, string | undefined>;

describe('loadConfig', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'cloudstash-config-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const load = (env: Env) => loadConfig({ DATA_DIR: dataDir, ...env });

  function expectConfigError(env: Env, variable: string): void {
    let thrown: unknown;
    try {
      load(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toContain(variable);
  }

  it('gives the defaults of CONTRACT §4 for an empty environment', () => {
    const config = load({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      dataDir,
      db: { type: 'sqlite' },
      redisUrl: undefined,
      storage: { driver: 'local' },
      sessionTtlMs: 24 * 3600_000,
      admin: undefined,
      maxUploadBytes: 5368709120,
      uploadExpiryMs: 24 * 3600_000,
      trashRetentionMs: 30 * 24 * 3600_000,
      linkMaxTtlMs: 30 * 24 * 3600_000,
      cookieSecure: false,
      logLevel: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('treats empty values as unset, as a copied .env.example has them', () => {
    const config = load({ PORT: '', DB_TYPE: '', REDIS_URL: '', SESSION_TTL: '', ADMIN_USERNAME: '', ADMIN_PASSWORD: '', JWT_SECRET: '' });
    expect(config.port).toBe(3000);
    expect(config.redisUrl).toBeUndefined();
    expect(config.admin).toBeUndefined();
  });

  it('reads the MySQL, Redis, S3 and admin settings', () => {
    const config = load({
      DB_TYPE: 'mysql',
      DB_HOST: 'db',
      DB_PORT: '3307',
      DB_USER: 'cloud',
      DB_PASSWORD: 'pw',
      DB_NAME: 'cloudstash',
      REDIS_URL: 'redis://cache:6379',
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'blobs',
      S3_ENDPOINT: 'http://minio:9000',
      S3_FORCE_PATH_STYLE: 'true',
      ADMIN_USERNAME: 'root',
      ADMIN_PASSWORD: 'long-enough',
      SESSION_TTL: '30m',
      MAX_UPLOAD_BYTES: '1024',
      UPLOAD_EXPIRY: '2h',
      TRASH_RETENTION: '7d',
      LINK_MAX_TTL: '90m',
    });
    expect(config.db).toEqual({ type: 'mysql', host: 'db', port: 3307, user: 'cloud', password: 'pw', name: 'cloudstash', timeoutMs: 5000 });
    expect(config.redisUrl).toBe('redis://cache:6379');
    expect(config.storage.s3).toMatchObject({ bucket: 'blobs', endpoint: 'http://minio:9000', forcePathStyle: true });
    expect(config.admin).toEqual({ username: 'root', password: 'long-enough' });
    expect(config.sessionTtlMs).toBe(30 * 60_000);
    expect(config.maxUploadBytes).toBe(1024);
    expect(config.uploadExpiryMs).toBe(2 * 3600_000);
    expect(config.trashRetentionMs).toBe(7 * 24 * 3600_000);
    expect(config.linkMaxTtlMs).toBe(90 * 60_000);
  });

  it('reads PostgreSQL settings, on port 5432 unless DB_PORT says otherwise', () => {
    const postgres = { DB_TYPE: 'postgres', DB_HOST: 'pg', DB_USER: 'cloud', DB_NAME: 'cloudstash' };
    expect(load(postgres).db).toEqual({ type: 'postgres', host: 'pg', port: 5432, user: 'cloud', password: '', name: 'cloudstash', timeoutMs: 5000 });
    expect(load({ ...postgres, DB_PORT: '6432' }).db.port).toBe(6432);
    expect(load(postgres).warnings).toEqual([expect.stringContaining('JWT_SECRET is unset'), expect.stringContaining('STORAGE_DRIVER=local')]);
  });

  it('generates a JWT secret once, keeps it in DATA_DIR readable by the owner only, and reuses it', () => {
    const first = load({}).jwtSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(load({}).jwtSecret).toBe(first);
    expect(statSync(join(dataDir, 'jwt-secret')).mode & 0o077).toBe(0);
  });

  it('refuses a jwt-secret file shorter than JWT_SECRET may be', () => {
    writeFileSync(join(dataDir, 'jwt-secret'), 'x\n', { mode: 0o600 });
    expect(() => load({})).toThrow(/jwt-secret must hold at least 16 characters/);
    expect(load({ JWT_SECRET: 'a-secret-of-enough-length' }).jwtSecret).toBe('a-secret-of-enough-length');
  });

  it('warns when a shared database or Redis meets a generated JWT secret or local blobs', () => {
    const mysql = { DB_TYPE: 'mysql', DB_HOST: 'h', DB_USER: 'u', DB_NAME: 'n' };
    expect(load({}).warnings).toEqual([]);
    expect(load({ REDIS_URL: 'redis://r:6379' }).warnings).toEqual([expect.stringContaining('JWT_SECRET is unset')]);
    expect(load(mysql).warnings).toEqual([expect.stringContaining('JWT_SECRET is unset'), expect.stringContaining('STORAGE_DRIVER=local')]);
    expect(load({ ...mysql, JWT_SECRET: 'a-secret-of-enough-length', STORAGE_DRIVER: 's3', S3_BUCKET: 'b' }).warnings).toEqual([]);
  });

  it('prefers JWT_SECRET when set', () => {
    expect(load({ JWT_SECRET: 'a-secret-of-enough-length' }).jwtSecret).toBe('a-secret-of-enough-length');
  });

  it.each<[string, Env, string]>([
    ['PORT not a number', { PORT: 'eighty' }, 'PORT'],
    ['PORT out of range', { PORT: '70000' }, 'PORT'],
    ['DB_TYPE unknown', { DB_TYPE: 'postgresql' }, 'DB_TYPE'],
    ['DB_HOST missing for postgres', { DB_TYPE: 'postgres', DB_USER: 'u', DB_NAME: 'n' }, 'DB_HOST'],
    ['DB_HOST missing for mysql', { DB_TYPE: 'mysql', DB_USER: 'u', DB_NAME: 'n' }, 'DB_HOST'],
    ['DB_USER missing for mysql', { DB_TYPE: 'mysql', DB_HOST: 'h', DB_NAME: 'n' }, 'DB_USER'],
    ['DB_NAME missing for mysql', { DB_TYPE: 'mysql', DB_HOST: 'h', DB_USER: 'u' }, 'DB_NAME'],
    ['DB_PORT zero', { DB_PORT: '0' }, 'DB_PORT'],
    ['REDIS_URL not a redis URL', { REDIS_URL: 'http://cache:6379' }, 'REDIS_URL'],
    ['STORAGE_DRIVER unknown', { STORAGE_DRIVER: 'ftp' }, 'STORAGE_DRIVER'],
    ['S3_BUCKET missing for s3', { STORAGE_DRIVER: 's3' }, 'S3_BUCKET'],
    ['S3_FORCE_PATH_STYLE not a boolean', { S3_FORCE_PATH_STYLE: 'maybe' }, 'S3_FORCE_PATH_STYLE'],
    ['JWT_SECRET too short', { JWT_SECRET: 'short' }, 'JWT_SECRET'],
    ['JWT_SECRET missing in production', { NODE_ENV: 'production' }, 'JWT_SECRET'],
    ['SESSION_TTL not a duration', { SESSION_TTL: 'forever' }, 'SESSION_TTL'],
    ['UPLOAD_EXPIRY not a duration', { UPLOAD_EXPIRY: 'a while' }, 'UPLOAD_EXPIRY'],
    ['DB_TIMEOUT not a duration', { DB_TIMEOUT: 'soon' }, 'DB_TIMEOUT'],
    ['TRASH_RETENTION not a duration', { TRASH_RETENTION: 'forever' }, 'TRASH_RETENTION'],
    ['LINK_MAX_TTL not a duration', { LINK_MAX_TTL: '-1' }, 'LINK_MAX_TTL'],
    ['SESSION_TTL zero', { SESSION_TTL: '0s' }, 'SESSION_TTL'],
    ['SESSION_TTL negative', { SESSION_TTL: '-5m' }, 'SESSION_TTL'],
    ['ADMIN_PASSWORD without ADMIN_USERNAME', { ADMIN_PASSWORD: 'long-enough' }, 'ADMIN_USERNAME'],
    ['ADMIN_USERNAME without ADMIN_PASSWORD', { ADMIN_USERNAME: 'boss' }, 'ADMIN_PASSWORD'],
    ['ADMIN_USERNAME breaking the name rule', { ADMIN_USERNAME: 'the-boss', ADMIN_PASSWORD: 'long-enough' }, 'ADMIN_USERNAME'],
    ['ADMIN_PASSWORD too short', { ADMIN_USERNAME: 'boss', ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD'],
    ['MAX_UPLOAD_BYTES zero', { MAX_UPLOAD_BYTES: '0' }, 'MAX_UPLOAD_BYTES'],
    ['MAX_UPLOAD_BYTES fractional', { MAX_UPLOAD_BYTES: '1.5' }, 'MAX_UPLOAD_BYTES'],
    ['COOKIE_SECURE not a boolean', { COOKIE_SECURE: 'sometimes' }, 'COOKIE_SECURE'],
    ['LOG_LEVEL unknown', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    ['RATE_LIMIT_LOGIN malformed', { RATE_LIMIT_LOGIN: 'ten' }, 'RATE_LIMIT_LOGIN'],
    ['SHUTDOWN_GRACE not a duration', { SHUTDOWN_GRACE: 'soon' }, 'SHUTDOWN_GRACE'],
  ])('throws a ConfigError naming the variable: %s', (_why, env, variable) => {
    expectConfigError(env, variable);
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['90', 90_000],
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
  ])('reads %s as %i ms', (raw, ms) => {
    expect(parseDuration('X', raw)).toBe(ms);
  });

  it('refuses units it does not know', () => {
    expect(() => parseDuration('SESSION_TTL', '3w')).toThrow(ConfigError);
  });
});
