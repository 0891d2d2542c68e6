// Mixed load on the BUILT Cloudstash server: 200 concurrent clients for 30 s doing logins,
// file listings, 1 MiB downloads and 256 KiB uploads; then the listing route alone next to a
// bare Express handler that returns the same JSON, and their ratio. Every upload that answered
// 201 is read back and compared byte for byte; the run fails on any 5xx or mismatch.
// Run with `npm run bench:load` (builds first).
//
// Environment (all optional): LOAD_SECONDS=30, LOAD_CLIENTS=200, LOAD_LIST_SECONDS=10.
// The database, Redis and storage come from the usual variables (DB_TYPE, REDIS_URL,
// STORAGE_DRIVER, ...); unset, it is SQLite and the local disk in a temp dir.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const express = require('express');

const KiB = 1024;
const MiB = 1024 * KiB;
const SECONDS = Number(process.env.LOAD_SECONDS ?? 30);
const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 200);
const LIST_SECONDS = Number(process.env.LOAD_LIST_SECONDS ?? 10);
const USERS = 20;
const FILES_PER_USER = 25;
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'cloudstash-load-'));
const log = (...args) => console.error(...args);

let server;
process.on('exit', () => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

function startCloudstash() {
  const child = spawn(process.execPath, [join(repo, 'dist', 'main.js')], {
    cwd: repo,
    env: {
      ...process.env,
      PORT: '0',
      DATA_DIR: work,
      // As in production: one JSON line per request (drained below), so the cost of logging is measured.
      LOG_LEVEL: 'info',
      ADMIN_USERNAME: '',
      ADMIN_PASSWORD: '',
      RATE_LIMIT_LOGIN: '1000000/1m',
      RATE_LIMIT_LOGIN_IP: '1000000/1m',
      RATE_LIMIT_LOGIN_PAIR: '1000000/1m',
      RATE_LIMIT_REGISTER_IP: '1000000/1m',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((done, fail) => {
    let buffered = '';
    const onData = (data) => {
      buffered += data;
      const match = /listening on http:\/\/localhost:(\d+)/.exec(buffered);
      if (!match) return;
      // From here on the request lines are only drained, so that a full pipe never blocks the server.
      child.stdout.off('data', onData);
      child.stdout.resume();
      done({ child, url: `http://127.0.0.1:${match[1]}` });
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => fail(new Error(`server exited (${code}) before listening`)));
  });
}

async function api(url, method, path, { token, json, body, headers = {} } = {}) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(json ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: json ? JSON.stringify(json) : body,
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${bytes.toString('utf8', 0, 200)}`);
  return { status: res.status, bytes, json: () => JSON.parse(bytes.toString('utf8')) };
}

function run(options) {
  return new Promise((done, fail) => {
    autocannon({ duration: SECONDS, ...options }, (error, result) => (error ? fail(error) : done(result)));
  });
}

/** One class of clients in its own process (bench/load-client.mjs). */
function client(kind, url, connections, duration, users) {
  if (connections <= 0) return Promise.resolve({ requests: 0, rps: 0, p50: 0, p99: 0, errors: 0, non2xx: 0, statusCodeStats: {}, stored: [] });
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(repo, 'bench', 'load-client.mjs'), JSON.stringify({ kind, url, connections, duration, users })], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.once('exit', (code) => (code === 0 ? done(JSON.parse(out)) : fail(new Error(`${kind} clients exited with ${code}`))));
  });
}

function count5xx(result) {
  return Object.entries(result.statusCodeStats ?? {})
    .filter(([code]) => Number(code) >= 500)
    .reduce((sum, [, stat]) => sum + Number(stat.count), 0);
}

function row(name, clients, result) {
  return {
    name,
    clients,
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    x5xx: count5xx(result),
  };
}

function table(rows) {
  const lines = ['| scenario | clients | requests | req/s | p50 ms | p99 ms | errors | non-2xx | 5xx |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|'];
  for (const r of rows) lines.push(`| ${r.name} | ${r.clients} | ${r.requests} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} | ${r.x5xx} |`);
  return lines.join('\n');
}

async function main() {
  const started = await startCloudstash();
  server = started.child;
  const url = started.url;
  log(`Cloudstash at ${url}; preparing ${USERS} users with ${FILES_PER_USER} files and a 1 MiB file each`);

  const users = [];
  const big = randomBytes(MiB);
  for (let i = 0; i < USERS; i++) {
    const username = `load${i}${randomBytes(3).toString('hex')}`;
    const password = `pw-${username}-secret`;
    await api(url, 'POST', '/register', { json: { username, password } });
    const token = (await api(url, 'POST', '/login', { json: { username, password } })).json().token;
    for (let f = 0; f < FILES_PER_USER; f++) await api(url, 'PUT', `/files/doc-${String(f).padStart(3, '0')}.txt`, { token, body: `file ${f}` });
    await api(url, 'PUT', '/files/big.bin', { token, body: big });
    users.push({ username, password, token });
  }
  const listing = (await api(url, 'GET', '/files', { token: users[0].token })).json();

  const share = { logins: Math.max(1, Math.round(CLIENTS * 0.01)), downloads: Math.round(CLIENTS * 0.2), uploads: Math.round(CLIENTS * 0.15) };
  share.listings = CLIENTS - share.logins - share.downloads - share.uploads;
  // LOAD_MIX=logins:2,listings:128,downloads:40,uploads:30 overrides the split.
  for (const part of (process.env.LOAD_MIX ?? '').split(',').filter(Boolean)) {
    const [kind, n] = part.split(':');
    share[kind] = Number(n);
  }
  const auth = (i) => ({ authorization: `Bearer ${users[i % USERS].token}` });
  log(`mixed load: ${CLIENTS} clients for ${SECONDS} s (${JSON.stringify(share)}), one load process per class`);

  // Logins are few on purpose: each is an argon2 verification (tens of ms of CPU in the libuv
  // pool), as in real use where one session serves many requests.
  const classes = [
    ['login (POST /login)', 'login', share.logins],
    ['list (GET /files)', 'list', share.listings],
    ['download 1 MiB (GET /files/big.bin)', 'download', share.downloads],
    ['upload 256 KiB (PUT /files/…)', 'upload', share.uploads],
  ];
  const results = await Promise.all(classes.map(([, kind, connections]) => client(kind, url, connections, SECONDS, users)));
  const rows = classes.map(([name, , connections], i) => ({ name, clients: connections, ...results[i], x5xx: count5xx(results[i]) }));
  const stored = results.flatMap((r) => r.stored);
  const total = rows.reduce((sum, r) => sum + r.rps, 0);
  const tokenOf = new Map(users.map((u) => [u.username, u.token]));

  log(`reading back ${stored.length} uploads that answered 201`);
  let mismatches = 0;
  for (const upload of stored) {
    const res = await api(url, 'GET', `/files/${upload.name}`, { token: tokenOf.get(upload.username) });
    if (createHash('sha256').update(res.bytes).digest('hex') !== upload.sha256) mismatches++;
  }

  log(`listing alone: Cloudstash vs a bare Express handler, ${CLIENTS} clients for ${LIST_SECONDS} s each`);
  const onlyList = await run({ url: `${url}/files`, duration: LIST_SECONDS, connections: CLIENTS, headers: auth(0) });
  const bare = express();
  bare.disable('x-powered-by');
  bare.get('/files', (_req, res) => res.json(listing));
  const bareServer = await new Promise((done) => {
    const s = bare.listen(0, '127.0.0.1', () => done(s));
  });
  const bareResult = await run({ url: `http://127.0.0.1:${bareServer.address().port}/files`, duration: LIST_SECONDS, connections: CLIENTS, headers: auth(0) });
  bareServer.close();

  const listRows = [row('Cloudstash GET /files', CLIENTS, onlyList), row('bare Express, same JSON', CLIENTS, bareResult)];
  const x5xx = [...rows, ...listRows].reduce((sum, r) => sum + r.x5xx, 0);
  const errors = rows.reduce((sum, r) => sum + r.errors, 0);

  console.log(`\n### Mixed load, ${CLIENTS} clients, ${SECONDS} s (${rows.reduce((s, r) => s + r.requests, 0)} requests, ${total.toFixed(0)} req/s in all)\n`);
  console.log(table(rows));
  console.log(`\nUploads answered 201: ${stored.length}; read back byte-exact: ${stored.length - mismatches}; mismatches: ${mismatches}. 5xx: ${x5xx}. Connection errors/timeouts: ${errors}.`);
  console.log(`\n### Listing alone, ${CLIENTS} clients, ${LIST_SECONDS} s each\n`);
  console.log(table(listRows));
  console.log(`\nCloudstash / bare Express (req/s): ${(onlyList.requests.average / bareResult.requests.average).toFixed(3)}`);

  server.kill('SIGTERM');
  if (x5xx > 0 || mismatches > 0) process.exit(1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
