// WebDAV against Apache 2.4 mod_dav (Debian's apache2), side by side in one run (issue 10):
// 400 PUTs of 4 KiB over one keep-alive connection, PROPFIND Depth 1 of that folder, and a
// 256 MiB PUT and GET. Both servers check HTTP Basic on every request; Apache does not fsync.
// Usage: npm run bench:dav   (prints a Markdown table on stdout, progress on stderr)
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, writeFileSync, chmodSync, chownSync, openSync, writeSync, closeSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, log, median, processes } from './support.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'bench-dav-'));
const { start, waitUntilUp } = processes(work);
const USER = { username: 'davbench', password: 'dav-bench-password-1' };
const auth = `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}`;
const SMALL = 400;
const SMALL_BYTES = 4096;
const BIG_BYTES = 256 * 1024 * 1024;
const ROUNDS = 3;

/** One request on a keep-alive agent; resolves with the status once the body has been read. */
function request(agent, base, method, path, { body, headers = {} } = {}) {
  return new Promise((done, fail) => {
    const req = http.request(`${base}${path}`, { method, agent, headers: { Authorization: auth, ...headers } }, (res) => {
      res.on('data', () => {});
      res.on('end', () => done(res.statusCode));
      res.on('error', fail);
    });
    req.on('error', fail);
    if (body && typeof body.pipe === 'function') body.pipe(req);
    else req.end(body);
  });
}

async function expectStatus(promise, ok, what) {
  const status = await promise;
  if (!ok.includes(status)) throw new Error(`${what} answered ${status}`);
}

async function measure(name, base) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const small = Buffer.alloc(SMALL_BYTES, 7);
  const results = { puts: [], propfind: [], put: [], get: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const folder = `/dav/small${round}/`;
    await expectStatus(request(agent, base, 'MKCOL', folder), [201], `${name} MKCOL`);
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < SMALL; i++) await expectStatus(request(agent, base, 'PUT', `${folder}f${i}.bin`, { body: small, headers: { 'Content-Length': String(SMALL_BYTES) } }), [201, 204], `${name} PUT`);
    results.puts.push(SMALL / (Number(process.hrtime.bigint() - t0) / 1e9));

    const times = [];
    for (let i = 0; i < 20; i++) {
      t0 = process.hrtime.bigint();
      await expectStatus(request(agent, base, 'PROPFIND', folder, { headers: { Depth: '1', 'Content-Length': '0' } }), [207], `${name} PROPFIND`);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    results.propfind.push(median(times));

    t0 = process.hrtime.bigint();
    await expectStatus(request(agent, base, 'PUT', `/dav/big${round}.bin`, { body: createReadStream(bigFile, { highWaterMark: 1024 * 1024 }), headers: { 'Content-Length': String(BIG_BYTES) } }), [201, 204], `${name} big PUT`);
    results.put.push(BIG_BYTES / 1048576 / (Number(process.hrtime.bigint() - t0) / 1e9));
    t0 = process.hrtime.bigint();
    await expectStatus(request(agent, base, 'GET', `/dav/big${round}.bin`), [200], `${name} GET`);
    results.get.push(BIG_BYTES / 1048576 / (Number(process.hrtime.bigint() - t0) / 1e9));
    log(`${name} round ${round + 1}: ${results.puts.at(-1).toFixed(0)} PUT/s, PROPFIND ${results.propfind.at(-1).toFixed(1)} ms, PUT ${results.put.at(-1).toFixed(0)} MiB/s, GET ${results.get.at(-1).toFixed(0)} MiB/s`);
  }
  agent.destroy();
  return { puts: median(results.puts), propfind: median(results.propfind), put: median(results.put), get: median(results.get) };
}

async function startApache() {
  const port = await freePort();
  const root = join(work, 'apache');
  const docs = join(root, 'dav');
  mkdirSync(join(docs, 'dav'), { recursive: true });
  mkdirSync(join(root, 'lock'), { recursive: true });
  execFileSync('htpasswd', ['-cb', join(root, 'users'), USER.username, USER.password], { stdio: 'ignore' });
  chmodSync(work, 0o755);
  const owned = [root, docs, join(docs, 'dav'), join(root, 'lock')];
  for (const dir of owned) {
    chmodSync(dir, 0o777);
    try {
      chownSync(dir, 33, 33); // www-data on Debian
    } catch {
      // not root: Apache runs as this user and owns them already
    }
  }
  const modules = ['mpm_event', 'authz_core', 'authn_core', 'auth_basic', 'authn_file', 'authz_user', 'dav', 'dav_fs', 'dav_lock'];
  const config = [
    `ServerRoot ${root}`,
    `Listen 127.0.0.1:${port}`,
    ...modules.map((m) => `LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so`),
    'User www-data',
    'Group www-data',
    `PidFile ${root}/httpd.pid`,
    `ErrorLog ${root}/error.log`,
    'ServerName localhost',
    'KeepAlive On',
    'MaxKeepAliveRequests 0',
    `DocumentRoot ${docs}`,
    `DavLockDB ${root}/lock/DavLock`,
    `<Directory ${docs}/dav>`,
    '  Dav On',
    '  AuthType Basic',
    '  AuthName "bench"',
    `  AuthUserFile ${root}/users`,
    '  Require valid-user',
    '</Directory>',
  ].join('\n');
  writeFileSync(join(root, 'httpd.conf'), config);
  const child = start('apache', '/usr/sbin/apache2', ['-X', '-f', join(root, 'httpd.conf')], { env: { ...process.env, APACHE_RUN_DIR: root } });
  const base = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${base}/`, child, 'apache');
  return base;
}

async function startCloudstash() {
  const port = await freePort();
  const data = join(work, 'cloudstash');
  mkdirSync(data);
  const child = start('cloudstash', process.execPath, [join(ROOT, 'dist', 'main.js')], {
    env: { ...process.env, PORT: String(port), DATA_DIR: data, LOG_LEVEL: 'info', MAX_UPLOAD_BYTES: String(1024 ** 3) },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${base}/health`, child, 'cloudstash');
  const registered = await fetch(`${base}/register`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(USER) });
  if (!registered.ok) throw new Error(`register answered ${registered.status}`);
  return base;
}

// The 256 MiB body comes from a file, so that neither server is fed from this process's memory.
const bigFile = join(work, 'big.bin');
{
  const fd = openSync(bigFile, 'w');
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < BIG_BYTES / chunk.length; i++) {
    chunk.fill(i % 251);
    writeSync(fd, chunk);
  }
  closeSync(fd);
}

const apache = await measure('apache', await startApache());
const cloudstash = await measure('cloudstash', await startCloudstash());
const row = (what, a, c, unit, target, higherIsBetter) => {
  const ratio = higherIsBetter ? c / a : a / c;
  const ok = higherIsBetter ? ratio >= target : c / a <= target;
  return `| ${what} | ${a.toFixed(1)} ${unit} | ${c.toFixed(1)} ${unit} | ${(c / a).toFixed(2)}x | ${higherIsBetter ? '≥' : '≤'} ${target}x | ${ok ? 'met' : 'not met'} |`;
};
console.log('| WebDAV, one keep-alive connection | Apache 2.4 mod_dav | Cloudstash (SQLite, local disk) | ratio | target | |');
console.log('|---|---:|---:|---:|---:|---|');
console.log(row(`${SMALL} PUTs of 4 KiB`, apache.puts, cloudstash.puts, 'PUT/s', 0.25, true));
console.log(row(`PROPFIND Depth 1, ${SMALL} files (median)`, apache.propfind, cloudstash.propfind, 'ms', 4, false));
console.log(row('256 MiB PUT', apache.put, cloudstash.put, 'MiB/s', 0.6, true));
console.log(row('256 MiB GET', apache.get, cloudstash.get, 'MiB/s', 0.7, true));
process.exit(0);
