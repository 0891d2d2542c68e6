import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type DbType = 'sqlite' | 'mysql' | 'postgres';
export type StorageDriver = 'local' | 's3';

export interface AppConfig {
  readonly nodeEnv: string;
  readonly port: number;
  readonly dataDir: string;
  readonly db: {
    readonly type: DbType;
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly password: string;
    readonly name: string;
    /** A query that takes longer fails (the database counts as unavailable, 503); waiting for a pooled connection is capped lower (README "When things fail"). */
    readonly timeoutMs: number;
  };
  readonly redisUrl: string | undefined;
  readonly redisKeyPrefix: string;
  readonly storage: {
    readonly driver: StorageDriver;
    readonly s3: {
      readonly endpoint: string | undefined;
      readonly region: string;
      readonly bucket: string;
      readonly accessKeyId: string | undefined;
      readonly secretAccessKey: string | undefined;
      readonly forcePathStyle: boolean;
    };
  };
  readonly jwtSecret: string;
  readonly sessionTtlMs: number;
  readonly admin: { readonly username: string; readonly password: string } | undefined;
  readonly maxUploadBytes: number;
  /** An unfinished resumable upload is removed after this long without a byte (CONTRACT §7). */
  readonly uploadExpiryMs: number;
  /** What has been in the trash this long is deleted for good (CONTRACT §9). */
  readonly trashRetentionMs: number;
  /** The longest a public link may live; also the expiry of a link created without one (CONTRACT §8). */
  readonly linkMaxTtlMs: number;
  readonly cookieSecure: boolean;
  readonly logLevel: string;
  /** Brute-force and sign-up limits (CONTRACT §11). */
  readonly abuseLimits: AbuseLimits;
  /** Bearer token that /metrics requires; unset = open. */
  readonly metricsToken: string | undefined;
  /** A connection that sends or takes no byte for this long is closed (CONTRACT §11). */
  readonly idleTimeoutMs: number;
  /** How long in-flight requests may run on after SIGTERM before their connections are cut. */
  readonly shutdownGraceMs: number;
  /** Origins allowed by CORS; empty = no cross-origin access. */
  readonly corsOrigins: readonly string[];
  /** Express 'trust proxy' (false, true, a hop count, or addresses/subnets). */
  readonly trustProxy: boolean | number | string;
  /** Settings that work for one instance but not for several sharing a database; logged at start-up. */
  readonly warnings: readonly string[];
}

/** At most `limit` counted events per fixed window of `windowMs`. */
export interface RateLimit {
  readonly limit: number;
  readonly windowMs: number;
}

export interface AbuseLimits {
  /** Failed password checks from one client address, whatever the usernames. */
  readonly perAddress: RateLimit;
  /** Failed password checks for one username from one address. */
  readonly perPair: RateLimit;
  /** Failed password checks for one username from all addresses; browsers with its device cookie are exempt. */
  readonly perUsername: RateLimit;
  /** Accounts created from one client address. */
  readonly signUpsPerAddress: RateLimit;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Thrown when the environment holds a value the server cannot run with. */
export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

const JWT_SECRET_MIN = 16;

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "24h", "30m", "90s", "1d", "500ms" or a bare number of seconds. */
export function parseDuration(name: string, raw: string): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!match) {
    throw new ConfigError(`${name}="${raw}" is not a duration (examples: 3600, 90s, 30m, 24h, 7d)`);
  }
  const ms = Number(match[1]) * DURATION_UNITS[match[2] ?? 's'];
  if (ms <= 0) throw new ConfigError(`${name}="${raw}" must be longer than zero`);
  return ms;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name}="${raw}" is not one of: ${allowed.join(', ')}`);
  }
  return raw as T;
}

function integer(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name}="${raw}" must be a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name}="${env[name]}" must be true or false`);
}

function text(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

function required(env: Env, name: string, why: string): string {
  const raw = text(env, name);
  if (raw === undefined) throw new ConfigError(`${name} is required ${why}`);
  return raw;
}

/** "20/1m": 20 per minute. */
function rateLimit(env: Env, name: string, fallback: string): RateLimit {
  const raw = text(env, name) ?? fallback;
  const match = /^(\d+)\/(.+)$/.exec(raw.trim());
  if (!match || Number(match[1]) < 1) {
    throw new ConfigError(`${name}="${raw}" must be <requests>/<duration>, for example 10/5m`);
  }
  return { limit: Number(match[1]), windowMs: parseDuration(name, match[2]) };
}

function trustProxy(env: Env): boolean | number | string {
  const raw = text(env, 'TRUST_PROXY');
  if (raw === undefined) return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  const lower = raw.toLowerCase();
  if (['true', 'false'].includes(lower)) return lower === 'true';
  // Addresses, subnets and Express's names (loopback, linklocal, uniquelocal), comma-separated.
  return raw;
}

/**
 * Without JWT_SECRET a secret is generated once and kept in DATA_DIR, so that tokens
 * survive a restart. Instances that share a database must share JWT_SECRET instead.
 */
function jwtSecretFromDataDir(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  const checked = (secret: string): string => {
    if (secret.length < JWT_SECRET_MIN) throw new ConfigError(`${file} must hold at least ${JWT_SECRET_MIN} characters (as JWT_SECRET must)`);
    return secret;
  };
  try {
    return checked(readFileSync(file, 'utf8').trim());
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process won the race to create it: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    return checked(readFileSync(file, 'utf8').trim());
  }
}

type DatabaseConfig = AppConfig['db'];
type StorageConfig = AppConfig['storage'];

function databaseConfig(env: Env): DatabaseConfig {
  const type = oneOf<DbType>(env, 'DB_TYPE', ['sqlite', 'mysql', 'postgres'], 'sqlite');
  const server = type !== 'sqlite';
  const when = `when DB_TYPE=${type}`;
  return {
    type,
    host: server ? required(env, 'DB_HOST', when) : '',
    port: integer(env, 'DB_PORT', type === 'postgres' ? 5432 : 3306, 1, 65535),
    user: server ? required(env, 'DB_USER', when) : '',
    password: text(env, 'DB_PASSWORD') ?? '',
    name: server ? required(env, 'DB_NAME', when) : '',
    timeoutMs: parseDuration('DB_TIMEOUT', text(env, 'DB_TIMEOUT') ?? '5s'),
  };
}

function redisUrlOf(env: Env): string | undefined {
  const redisUrl = text(env, 'REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError(`REDIS_URL="${redisUrl}" must start with redis:// or rediss://`);
  }
  return redisUrl;
}

function storageConfig(env: Env): StorageConfig {
  const driver = oneOf<StorageDriver>(env, 'STORAGE_DRIVER', ['local', 's3'], 'local');
  return {
    driver,
    s3: {
      endpoint: text(env, 'S3_ENDPOINT'),
      region: text(env, 'S3_REGION') ?? 'us-east-1',
      bucket: driver === 's3' ? required(env, 'S3_BUCKET', 'when STORAGE_DRIVER=s3') : '',
      accessKeyId: text(env, 'S3_ACCESS_KEY_ID'),
      secretAccessKey: text(env, 'S3_SECRET_ACCESS_KEY'),
      forcePathStyle: bool(env, 'S3_FORCE_PATH_STYLE', false),
    },
  };
}

/** JWT_SECRET as given (checked), or undefined for the one generated in DATA_DIR. */
function givenJwtSecret(env: Env, nodeEnv: string): string | undefined {
  const jwtSecret = text(env, 'JWT_SECRET');
  if (jwtSecret === undefined && nodeEnv === 'production') {
    throw new ConfigError('JWT_SECRET is required when NODE_ENV=production');
  }
  if (jwtSecret !== undefined && jwtSecret.length < JWT_SECRET_MIN) {
    throw new ConfigError(`JWT_SECRET must be at least ${JWT_SECRET_MIN} characters`);
  }
  return jwtSecret;
}

function startupAdmin(env: Env): AppConfig['admin'] {
  const username = text(env, 'ADMIN_USERNAME');
  const password = text(env, 'ADMIN_PASSWORD');
  if ((username === undefined) !== (password === undefined)) {
    throw new ConfigError('ADMIN_USERNAME and ADMIN_PASSWORD must be set together');
  }
  if (username !== undefined && !/^[A-Za-z0-9]{3,20}$/.test(username)) {
    throw new ConfigError(`ADMIN_USERNAME="${username}" must be 3-20 ASCII letters and digits`);
  }
  if (password !== undefined && (password.length < 8 || password.length > 1024)) {
    throw new ConfigError('ADMIN_PASSWORD must be 8 to 1024 characters');
  }
  return username && password ? { username, password } : undefined;
}

function abuseLimits(env: Env): AbuseLimits {
  return {
    perAddress: rateLimit(env, 'RATE_LIMIT_LOGIN_IP', '100/15m'),
    perPair: rateLimit(env, 'RATE_LIMIT_LOGIN_PAIR', '10/15m'),
    perUsername: rateLimit(env, 'RATE_LIMIT_LOGIN', '50/1h'),
    signUpsPerAddress: rateLimit(env, 'RATE_LIMIT_REGISTER_IP', '300/1h'),
  };
}

/** Settings that work for one instance but not for several sharing a database or Redis. */
function scaleOutWarnings(db: DatabaseConfig, redisUrl: string | undefined, storage: StorageConfig, jwtSecretGiven: boolean): string[] {
  const warnings: string[] = [];
  const shared = db.type !== 'sqlite';
  if (!jwtSecretGiven && (shared || redisUrl !== undefined)) {
    warnings.push('JWT_SECRET is unset: the secret generated in DATA_DIR is this instance\'s own, so other instances sharing the database or Redis will refuse its tokens');
  }
  if (shared && storage.driver === 'local') {
    warnings.push('STORAGE_DRIVER=local with a shared database: file bytes stay on this instance\'s disk, where other instances cannot serve them');
  }
  return warnings;
}

/** Reads and validates every variable of the contract's §4, area by area; throws ConfigError naming the bad one. */
export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnv = text(env, 'NODE_ENV') ?? 'development';
  const dataDir = resolve(text(env, 'DATA_DIR') ?? './data');
  const db = databaseConfig(env);
  const redisUrl = redisUrlOf(env);
  const storage = storageConfig(env);
  const jwtSecret = givenJwtSecret(env, nodeEnv);
  const warnings = scaleOutWarnings(db, redisUrl, storage, jwtSecret !== undefined);

  return Object.freeze({
    nodeEnv,
    port: integer(env, 'PORT', 3000, 0, 65535),
    dataDir,
    db,
    redisUrl,
    redisKeyPrefix: text(env, 'REDIS_KEY_PREFIX') ?? 'cloudstash:',
    storage,
    jwtSecret: jwtSecret ?? jwtSecretFromDataDir(dataDir),
    sessionTtlMs: parseDuration('SESSION_TTL', text(env, 'SESSION_TTL') ?? '24h'),
    admin: startupAdmin(env),
    maxUploadBytes: integer(env, 'MAX_UPLOAD_BYTES', 5 * 1024 ** 3, 1),
    uploadExpiryMs: parseDuration('UPLOAD_EXPIRY', text(env, 'UPLOAD_EXPIRY') ?? '24h'),
    trashRetentionMs: parseDuration('TRASH_RETENTION', text(env, 'TRASH_RETENTION') ?? '30d'),
    linkMaxTtlMs: parseDuration('LINK_MAX_TTL', text(env, 'LINK_MAX_TTL') ?? '30d'),
    cookieSecure: bool(env, 'COOKIE_SECURE', nodeEnv === 'production'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'silent'], 'info'),
    abuseLimits: abuseLimits(env),
    metricsToken: text(env, 'METRICS_TOKEN'),
    idleTimeoutMs: parseDuration('IDLE_TIMEOUT', text(env, 'IDLE_TIMEOUT') ?? '60s'),
    shutdownGraceMs: parseDuration('SHUTDOWN_GRACE', text(env, 'SHUTDOWN_GRACE') ?? '30s'),
    corsOrigins: (text(env, 'CORS_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter((o) => o !== ''),
    trustProxy: trustProxy(env),
    warnings,
  });
}
