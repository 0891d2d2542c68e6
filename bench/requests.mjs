// Small-request throughput of the BUILT Cloudstash server next to a bare Express 5 app and a
// minimal Nest 11 app listing the same 25 names. Each server runs alone on core 0
// (taskset -c 0), wrk -t1 -c50 on core 1; rounds rotate over the targets so that noise from
// elsewhere hits them alike; the table has medians and ratios to bare Express.
// Run with `npm run bench:requests` (builds first). Needs wrk and taskset (Debian: wrk, util-linux).
//
// Cloudstash runs as in production: NODE_ENV=production, LOG_LEVEL=info (one JSON line per
// request, to a file), every request's session checked against the session store.
//
// Environment (all optional): BENCH_SECONDS=5 per measurement, BENCH_ROUNDS=7,
// BENCH_DATABASES=sqlite,mariadb,postgres (default: sqlite, plus MariaDB+Redis and
// PostgreSQL+Redis when they answer on 127.0.0.1:3306/5432/6379).
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NAMES } from './names.mjs';
import { freePort, log, median, processes, signUpAndLogIn } from './support.mjs';

const require = createRequire(import.meta.url);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SERVER_CORE = '0';
const WRK_CORE = '1';
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'cloudstash-requests-'));
const { start, stop, waitUntilUp } = processes(work);
const cleanups = [];

function reachable(port) {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => done(socket.end() && true));
    socket.once('error', () => done(false));
  });
}

async function databasesToRun() {
  if (process.env.BENCH_DATABASES) return process.env.BENCH_DATABASES.split(',');
  const redis = await reachable(6379);
  return ['sqlite', ...(redis && (await reachable(3306)) ? ['mariadb'] : []), ...(redis && (await reachable(5432)) ? ['postgres'] : [])];
}

/** A fresh database of the benchmark's own on a database server, dropped at the end. */
async function serverDatabase(kind) {
  const name = `cloudstash_bench_${randomBytes(4).toString('hex')}`;
  if (kind === 'mariadb') {
    const { createConnection } = require('mysql2/promise');
    const admin = () => createConnection({ host: '127.0.0.1', user: 'root' });
    const c = await admin();
    await c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
    await c.end();
    cleanups.push(async () => {
      const d = await admin();
      await d.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await d.end();
    });
    return { DB_TYPE: 'mysql', DB_HOST: '127.0.0.1', DB_PORT: '3306', DB_USER: 'root', DB_NAME: name, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `${name}:` };
  }
  const { Client } = require('pg');
  const run = async (sql) => {
    const c = new Client({ host: '127.0.0.1', user: 'postgres', database: 'postgres' });
    await c.connect();
    await c.query(sql);
    await c.end();
  };
  await run(`CREATE DATABASE "${name}"`);
  cleanups.push(() => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  return { DB_TYPE: 'postgres', DB_HOST: '127.0.0.1', DB_PORT: '5432', DB_USER: 'postgres', DB_NAME: name, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `${name}:` };
}

const pinned = (name, script, args, options) => start(name, 'taskset', ['-c', SERVER_CORE, process.execPath, script, ...args], options);

async function startBaseline(name, script) {
  const port = await freePort();
  const child = pinned(name, join(repo, 'bench', script), [String(port)], { cwd: repo });
  await waitUntilUp(`http://127.0.0.1:${port}/files`, child, name);
  return { child, base: `http://127.0.0.1:${port}` };
}

async function startCloudstash(kind) {
  const main = join(repo, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error('dist/main.js is missing: run `npm run build` (npm run bench:requests does)');
  const port = await freePort();
  const database = kind === 'sqlite' ? { DB_TYPE: 'sqlite' } : await serverDatabase(kind);
  const name = `cloudstash-${kind}`;
  const child = pinned(name, main, [], {
    cwd: work,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      PORT: String(port),
      DATA_DIR: join(work, `${name}-data`),
      STORAGE_DRIVER: 'local',
      JWT_SECRET: 'bench-secret-bench-secret-bench-secret',
      LOG_LEVEL: 'info',
      ...database,
    },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${base}/health`, child, name);
  const token = await signUpAndLogIn(base);
  for (const file of NAMES) {
    const put = await fetch(`${base}/files/${file}`, { method: 'PUT', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain' }, body: file });
    if (put.status !== 201) throw new Error(`PUT /files/${file} answered ${put.status}`);
  }
  const listed = await (await fetch(`${base}/files`, { headers: { Authorization: `Bearer ${token}` } })).json();
  if (JSON.stringify(listed) !== JSON.stringify(NAMES)) throw new Error(`GET /files listed ${JSON.stringify(listed)}`);
  return { child, base, token };
}

/** One wrk run; returns requests per second, and throws if any answer was not 2xx/3xx. */
function wrk(url, headers, seconds) {
  const args = ['-c', WRK_CORE, 'wrk', '-t1', '-c50', '--timeout', '10s', `-d${seconds}s`, ...headers.flatMap((h) => ['-H', h]), url];
  return new Promise((done, fail) => {
    execFile('taskset', args, (error, stdout, stderr) => {
      if (error) return fail(new Error(`wrk ${url}: ${stderr || error.message}`));
      const bad = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
      const socketErrors = /Socket errors: (.*)/.exec(stdout);
      if (bad || socketErrors) return fail(new Error(`wrk ${url}: ${bad?.[0] ?? ''} ${socketErrors?.[0] ?? ''}\n${stdout}`));
      done(Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]));
    });
  });
}

async function main() {
  if (spawnSync('wrk', ['-v']).error) throw new Error('wrk is not installed (apt-get install -y wrk)');
  const databases = await databasesToRun();
  log(`starting servers: bare Express, minimal Nest, Cloudstash on ${databases.join(', ')}`);
  const express = await startBaseline('express', 'baseline-express.mjs');
  const nest = await startBaseline('nest', 'baseline-nest.mjs');
  const targets = [
    { label: 'bare Express 5, `res.json` of 25 names', url: `${express.base}/files`, headers: [], child: express.child },
    { label: 'minimal Nest 11 controller, same names', url: `${nest.base}/files`, headers: [], child: nest.child },
  ];
  const goals = [];
  for (const kind of databases) {
    const cs = await startCloudstash(kind);
    const where = { sqlite: 'SQLite', mariadb: 'MariaDB + Redis', postgres: 'PostgreSQL + Redis' }[kind];
    const health = { label: `Cloudstash \`GET /health\` (${where})`, url: `${cs.base}/health`, headers: [], child: cs.child };
    const files = { label: `Cloudstash \`GET /files\`, authenticated, 25 names (${where})`, url: `${cs.base}/files`, headers: [`Authorization: Bearer ${cs.token}`], child: cs.child };
    targets.push(health, files);
    if (kind === 'sqlite') goals.push([health, 0.6], [files, 0.4]);
    if (kind === 'mariadb') goals.push([files, 0.3]);
  }

  // Warm-up: JIT, connection pools, caches; not counted.
  for (const target of targets) await wrk(target.url, target.headers, 2);
  const samples = new Map(targets.map((t) => [t, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round, so that no target always runs first or after the same one.
    const order = targets.map((_, i) => targets[(i + round) % targets.length]);
    for (const target of order) samples.get(target).push(await wrk(target.url, target.headers, SECONDS));
    log(`round ${round + 1}/${ROUNDS} done`);
  }

  // Ratios are taken within each round, where the targets ran seconds apart, then their median:
  // a burst of load from elsewhere on the machine then moves a round's ratio, not the result.
  const floor = samples.get(targets[0]);
  const lines = [`| ${ROUNDS} rounds of ${SECONDS} s, wrk -t1 -c50 | req/s (median) | x bare Express (median of rounds) | req/s per round |`, '|---|---:|---:|---|'];
  for (const target of targets) {
    const values = samples.get(target);
    target.ratio = median(values.map((v, round) => v / floor[round]));
    lines.push(`| ${target.label} | ${median(values).toFixed(0)} | ${target.ratio.toFixed(2)} | ${values.map((v) => v.toFixed(0)).join(' ')} |`);
  }
  lines.push('');
  for (const [target, goal] of goals) lines.push(`Target ${target.label}: >= ${goal}x, ${target.ratio.toFixed(2)}x ${target.ratio >= goal ? 'met' : 'MISSED'}`);
  for (const child of new Set(targets.map((t) => t.child))) await stop(child);
  console.log(lines.join('\n'));
}

main()
  .finally(async () => {
    for (const cleanup of cleanups) await cleanup().catch((error) => log(`cleanup: ${error.message}`));
  })
  .then(
    () => process.exit(0),
    (error) => {
      log(error.stack ?? error);
      process.exit(1);
    },
  );
