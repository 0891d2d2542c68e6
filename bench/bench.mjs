// Upload/download throughput of the BUILT Cloudstash server next to two baselines serving the
// same bytes from the same disk: nginx (sendfile, WebDAV PUT) and a bare node:http server
// (64 KiB and 1 MiB stream buffers); then a small request's p50 while 8 uploads of 64 MiB run
// (Cloudstash next to the bare node:http server), Cloudstash's peak RSS during 20 concurrent
// logins, and during a 1 GiB round trip.
// Run with `npm run bench` (builds first). Everything lives in one temp dir and dies with the run.
//
// Environment (all optional): BENCH_MIB=256 (file size), BENCH_RUNS=5, BENCH_BIG_MIB=1024,
// BENCH_CONCURRENT_MIB=64, BENCH_ONLY=cloudstash,nginx,node-64k,node-1m (subset of targets).
import { execFile, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, log, median, processes, signUpAndLogIn } from './support.mjs';

const MiB = 1024 * 1024;
const SIZE_MIB = Number(process.env.BENCH_MIB ?? 256);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BIG_MIB = Number(process.env.BENCH_BIG_MIB ?? 1024);
const ONLY = process.env.BENCH_ONLY?.split(',');
const CONCURRENT_UPLOADS = 8;
const CONCURRENT_MIB = Number(process.env.BENCH_CONCURRENT_MIB ?? 64);
const LOGINS = 20;
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'cloudstash-bench-'));
const { start, stop, waitUntilUp } = processes(work);

function makeFile(path, mib, random) {
  const block = Buffer.alloc(MiB);
  randomFillSync(block);
  const fd = openSync(path, 'w');
  for (let i = 0; i < mib; i++) {
    // The big RSS file repeats one random block: its content does not matter, its size does.
    if (random) randomFillSync(block);
    writeSync(fd, block);
  }
  closeSync(fd);
}

/** One curl transfer; returns MiB/s over the whole request (connect to last byte). */
function curl(args, bytes) {
  return new Promise((done, fail) => {
    execFile('curl', ['-sS', '--fail-with-body', '-o', '/dev/null', '-H', 'Expect:', '-w', '%{http_code} %{time_total}', ...args], (error, stdout, stderr) => {
      if (error) return fail(new Error(`curl ${args.join(' ')}: ${stderr || error.message}`));
      const [code, seconds] = stdout.trim().split(' ');
      done({ code: Number(code), mibps: bytes / MiB / Number(seconds) });
    });
  });
}

/**
 * Round-robin over the targets, so that a burst of load from elsewhere on the machine hits
 * every server alike: each round uploads once to each, then downloads once from each.
 */
async function measure(targets, file, bytes) {
  const results = new Map(targets.map((t) => [t, { up: [], down: [] }]));
  for (let i = 0; i < RUNS; i++) {
    for (const target of targets) {
      const put = await curl(['-T', file, ...target.headers, target.url(`bench-${i}.bin`)], bytes);
      if (![200, 201, 204].includes(put.code)) throw new Error(`${target.name} PUT answered ${put.code}`);
      results.get(target).up.push(put.mibps);
    }
    for (const target of targets) {
      const get = await curl([...target.headers, target.url(`bench-${i}.bin`)], bytes);
      if (get.code !== 200) throw new Error(`${target.name} GET answered ${get.code}`);
      results.get(target).down.push(get.mibps);
    }
  }
  return results;
}

function readRss(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kib('VmRSS') * 1024, hwm: kib('VmHWM') * 1024 };
}

/** Polls the process's RSS while `action` runs; returns the largest value seen. */
async function peakRss(pid, action) {
  let peak = readRss(pid).rss;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, readRss(pid).rss);
    } catch {
      // the process is gone; the action will report it
    }
  }, 10);
  try {
    await action();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, readRss(pid).rss);
}

// None by default: the contract's production start is `node dist/main.js`; BENCH_NODE_FLAGS tries others.
const PRODUCTION_NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);

async function startCloudstash() {
  const port = await freePort();
  const dataDir = join(work, 'cloudstash-data');
  const main = join(repo, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error('dist/main.js is missing: run `npm run build` (npm run bench does)');
  const child = start('cloudstash', process.execPath, [...PRODUCTION_NODE_FLAGS, main], {
    cwd: work,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      PORT: String(port),
      DATA_DIR: dataDir,
      DB_TYPE: 'sqlite',
      STORAGE_DRIVER: 'local',
      JWT_SECRET: 'bench-secret-bench-secret-bench-secret',
      LOG_LEVEL: 'warn',
    },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${base}/health`, child, 'cloudstash');
  const token = await signUpAndLogIn(base);
  const probe = await fetch(`${base}/files/probe.bin`, { method: 'PUT', headers: { Authorization: `Bearer ${token}` }, body: 'x' });
  if (probe.status !== 201) throw new Error(`PUT /files answered ${probe.status}: the Files module is not in this build`);
  return {
    name: 'cloudstash',
    label: 'Cloudstash (PUT/GET /files, local disk, SQLite)',
    child,
    url: (name) => `${base}/files/${name}`,
    headers: ['-H', `Authorization: Bearer ${token}`, '-H', 'Content-Type: application/octet-stream'],
    base,
    // The small request timed while uploads run: an authenticated listing.
    probe: { url: `${base}/files`, headers: { Authorization: `Bearer ${token}` } },
  };
}

async function startNginx() {
  const nginx = ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find(existsSync) ?? 'nginx';
  if (spawnSync(nginx, ['-v']).error) throw new Error('nginx is not installed (apt-get install -y nginx-light)');
  const dir = join(work, 'nginx');
  const root = join(dir, 'root');
  mkdirSync(root, { recursive: true });
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `${process.getuid?.() === 0 ? 'user root;' : ''}
daemon off;
# One process: nothing is orphaned if the bench dies and kills it, and one worker serves one curl anyway.
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    client_max_body_size 0;
    location / {
      dav_methods PUT DELETE;
      dav_access user:rw;
    }
  }
}
`,
  );
  const child = start('nginx', nginx, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')]);
  await waitUntilUp(`http://127.0.0.1:${port}/`, child, 'nginx');
  return { name: 'nginx', label: 'nginx 1.x (sendfile on, dav_methods PUT)', child, url: (name) => `http://127.0.0.1:${port}/${name}`, headers: [] };
}

async function startNodeBaseline(name, hwm) {
  const root = join(work, name);
  const port = await freePort();
  const child = start(name, process.execPath, [join(repo, 'bench', 'baseline-server.mjs'), root, String(port), String(hwm)]);
  await waitUntilUp(`http://127.0.0.1:${port}/`, child, name);
  const url = (file) => `http://127.0.0.1:${port}/${file}`;
  await fetch(url('small.txt'), { method: 'PUT', body: 'a small file' });
  return { name, label: `node:http + fs streams, highWaterMark ${hwm / 1024} KiB`, child, url, headers: [], probe: { url: url('small.txt'), headers: {} } };
}

const fmt = (n) => n.toFixed(0).padStart(6);

async function timedGet(probe) {
  const started = performance.now();
  const res = await fetch(probe.url, { headers: probe.headers });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${probe.url} answered ${res.status}`);
  return performance.now() - started;
}

/**
 * p50 of one small request after another while CONCURRENT_UPLOADS uploads of `file` run at
 * once (curl), and of the same requests with the server idle: what a person listing their files
 * waits while others upload.
 */
async function smallRequestsDuringUploads(target, file) {
  const idle = [];
  for (let i = 0; i < 50; i++) idle.push(await timedGet(target.probe));
  let running = true;
  const uploads = Promise.all(
    Array.from({ length: CONCURRENT_UPLOADS }, (_, i) => curl(['-T', file, ...target.headers, target.url(`concurrent-${i}.bin`)], CONCURRENT_MIB * MiB)),
  ).finally(() => {
    running = false;
  });
  const loaded = [];
  while (running) loaded.push(await timedGet(target.probe));
  for (const put of await uploads) if (![200, 201, 204].includes(put.code)) throw new Error(`${target.name} concurrent PUT answered ${put.code}`);
  return { p50: median(loaded), idle: median(idle), count: loaded.length };
}

/** Peak RSS while LOGINS users log in at once (each an argon2id verification). */
async function loginMemory(target) {
  const json = { 'Content-Type': 'application/json' };
  const users = [];
  for (let i = 0; i < LOGINS; i++) {
    const credentials = { username: `loginbench${i}`, password: `login-bench-password-${i}` };
    const res = await fetch(`${target.base}/register`, { method: 'POST', headers: json, body: JSON.stringify(credentials) });
    if (!res.ok) throw new Error(`register answered ${res.status}`);
    users.push(credentials);
  }
  return peakRss(target.child.pid, async () => {
    const answers = await Promise.all(users.map((c) => fetch(`${target.base}/login`, { method: 'POST', headers: json, body: JSON.stringify(c) })));
    for (const res of answers) if (res.status !== 200) throw new Error(`login answered ${res.status}`);
  });
}

async function main() {
  const file = join(work, 'payload.bin');
  log(`bench: ${SIZE_MIB} MiB file, ${RUNS} uploads + ${RUNS} downloads per server, curl over loopback; work dir ${work}`);
  makeFile(file, SIZE_MIB, true);
  const bytes = SIZE_MIB * MiB;

  const starters = {
    cloudstash: startCloudstash,
    nginx: startNginx,
    'node-64k': () => startNodeBaseline('node-64k', 64 * 1024),
    'node-1m': () => startNodeBaseline('node-1m', MiB),
  };
  const targets = [];
  for (const [name, startTarget] of Object.entries(starters)) {
    if (ONLY && !ONLY.includes(name)) continue;
    try {
      targets.push(await startTarget());
    } catch (error) {
      log(`skip ${name}: ${error.message}`);
    }
  }
  const cloudstash = targets.find((t) => t.name === 'cloudstash');
  const idleRss = cloudstash ? readRss(cloudstash.child.pid).rss : 0;
  // First, while nothing else has touched the server's memory.
  const loginPeak = cloudstash ? await loginMemory(cloudstash) : 0;
  log(`measuring ${targets.map((t) => t.name).join(', ')} in ${RUNS} rounds ...`);
  const measured = await measure(targets, file, bytes);
  const results = {};
  for (const target of targets) {
    const { up, down } = measured.get(target);
    results[target.name] = { label: target.label, up: median(up), down: median(down) };
    log(`  ${target.name}: up ${up.map((v) => v.toFixed(0)).join(' ')} MiB/s; down ${down.map((v) => v.toFixed(0)).join(' ')} MiB/s`);
  }

  const lines = [];
  lines.push(`| server (${SIZE_MIB} MiB, median of ${RUNS}) | upload MiB/s | download MiB/s | Cloudstash upload ratio | Cloudstash download ratio |`);
  lines.push('|---|---:|---:|---:|---:|');
  const cs = results.cloudstash;
  for (const r of Object.values(results)) {
    const ratio = (mine, theirs) => (cs && r !== cs ? (mine / theirs).toFixed(2) : '');
    lines.push(`| ${r.label} | ${fmt(r.up)} | ${fmt(r.down)} | ${ratio(cs?.up, r.up)} | ${ratio(cs?.down, r.down)} |`);
  }

  if (cloudstash) {
    lines.push('');
    lines.push(`Cloudstash RSS during ${LOGINS} concurrent logins (argon2id): peak ${(loginPeak / 1e6).toFixed(0)} MB (target < 300 MB ${loginPeak < 300e6 ? 'met' : 'MISSED'})`);
  }

  if (cloudstash) {
    const big = join(work, 'big.bin');
    makeFile(big, BIG_MIB, false);
    rmSync(file, { force: true });
    const pid = cloudstash.child.pid;
    const bigBytes = BIG_MIB * MiB;
    const upPeak = await peakRss(pid, () => curl(['-T', big, ...cloudstash.headers, cloudstash.url('big.bin')], bigBytes));
    const downPeak = await peakRss(pid, () => curl([...cloudstash.headers, cloudstash.url('big.bin')], bigBytes));
    const { hwm } = readRss(pid);
    lines.push('');
    const mb = (n) => `${(n / 1e6).toFixed(0)} MB`;
    lines.push(`Cloudstash RSS: idle after start ${mb(idleRss)}; peak while uploading a ${BIG_MIB} MiB file ${mb(upPeak)}, while downloading it ${mb(downPeak)} (VmHWM ${mb(hwm)}; target < 150 MB)`);
    if (results.nginx) {
      const up = cs.up / results.nginx.up;
      const down = cs.down / results.nginx.down;
      lines.push(`Targets: download ${down.toFixed(2)} x nginx (>= 0.7 ${down >= 0.7 ? 'met' : 'MISSED'}), upload ${up.toFixed(2)} x nginx (>= 0.6 ${up >= 0.6 ? 'met' : 'MISSED'}), RSS ${Math.max(upPeak, downPeak) < 150e6 ? 'met' : 'MISSED'}`);
    }
  }
  // Last: eight concurrent uploads leave the heap larger than the RSS step above should see.
  const baseline = targets.find((t) => t.name === 'node-64k');
  if (cloudstash && baseline) {
    const concurrent = join(work, 'concurrent.bin');
    makeFile(concurrent, CONCURRENT_MIB, true);
    const mine = await smallRequestsDuringUploads(cloudstash, concurrent);
    const theirs = await smallRequestsDuringUploads(baseline, concurrent);
    rmSync(concurrent, { force: true });
    const ratio = mine.p50 / theirs.p50;
    lines.push('');
    lines.push(`Small request p50 during ${CONCURRENT_UPLOADS} concurrent ${CONCURRENT_MIB} MiB uploads (idle p50 in brackets): Cloudstash \`GET /files\` ${mine.p50.toFixed(1)} ms (${mine.idle.toFixed(1)} ms, ${mine.count} requests), bare node:http GET ${theirs.p50.toFixed(1)} ms (${theirs.idle.toFixed(1)} ms, ${theirs.count} requests): ${ratio.toFixed(2)} x (target <= 2 ${ratio <= 2 ? 'met' : 'MISSED'})`);
  }
  for (const target of targets) await stop(target.child);
  console.log(lines.join('\n'));
}

main().then(
  () => process.exit(0),
  (error) => {
    log(error.stack ?? error);
    process.exit(1);
  },
);
