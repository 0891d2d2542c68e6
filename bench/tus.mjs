// A 1 GiB tus upload in 8 MiB PATCHes against a plain PUT of the same file, to one Cloudstash
// (SQLite, local disk), in the same run (issue 11): throughput and the server's peak RSS while
// each runs, sampled from /proc every 20 ms. 5 rounds, alternating which goes first, medians.
// Usage: npm run bench:tus   (prints a Markdown table on stdout, progress on stderr)
import { closeSync, createReadStream, mkdirSync, mkdtempSync, openSync, readFileSync, writeSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, log, median, processes, signUpAndLogIn } from './support.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'bench-tus-'));
const { start, waitUntilUp } = processes(work);
const SIZE = 1024 ** 3;
const CHUNK = 8 * 1024 * 1024;
const ROUNDS = 5;

function request(agent, base, method, path, headers, body) {
  return new Promise((done, fail) => {
    const req = http.request(`${base}${path}`, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() }));
      res.on('error', fail);
    });
    req.on('error', fail);
    if (body && typeof body.pipe === 'function') body.pipe(req);
    else req.end(body);
  });
}

function expect(answer, status, what) {
  if (answer.status !== status) throw new Error(`${what} answered ${answer.status}: ${answer.text}`);
  return answer;
}

/** The largest resident set of `pid` while `task` runs. */
async function peakRss(pid, task) {
  let peak = 0;
  const sample = () => {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    peak = Math.max(peak, kb * 1024);
  };
  const timer = setInterval(sample, 20);
  try {
    sample();
    const result = await task();
    sample();
    return { result, peak };
  } finally {
    clearInterval(timer);
  }
}

async function put(agent, base, auth, name) {
  const headers = { Authorization: auth, 'Content-Length': String(SIZE), 'Content-Type': 'application/octet-stream' };
  expect(await request(agent, base, 'PUT', `/files/${name}`, headers, createReadStream(file, { highWaterMark: 1024 * 1024 })), 201, 'PUT');
}

async function tus(agent, base, auth, name) {
  const common = { Authorization: auth, 'Tus-Resumable': '1.0.0' };
  const created = expect(
    await request(agent, base, 'POST', '/uploads/', { ...common, 'Upload-Length': String(SIZE), 'Upload-Metadata': `filename ${Buffer.from(name).toString('base64')}` }),
    201,
    'tus POST',
  );
  const location = new URL(created.headers.location).pathname;
  for (let offset = 0; offset < SIZE; offset += CHUNK) {
    const length = Math.min(CHUNK, SIZE - offset);
    const headers = { ...common, 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream', 'Content-Length': String(length) };
    expect(await request(agent, base, 'PATCH', location, headers, createReadStream(file, { start: offset, end: offset + length - 1, highWaterMark: 1024 * 1024 })), 204, 'tus PATCH');
  }
}

// The body comes from a file, so that the server is not fed from this process's memory.
const file = join(work, 'big.bin');
{
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < SIZE / chunk.length; i++) {
    chunk.fill(i % 251);
    writeSync(fd, chunk);
  }
  closeSync(fd);
}

const port = await freePort();
const data = join(work, 'cloudstash');
mkdirSync(data);
const server = start('cloudstash', process.execPath, [join(ROOT, 'dist', 'main.js')], { env: { ...process.env, PORT: String(port), DATA_DIR: data, LOG_LEVEL: 'warn' } });
const base = `http://127.0.0.1:${port}`;
await waitUntilUp(`${base}/health`, server, 'cloudstash');
const auth = `Bearer ${await signUpAndLogIn(base)}`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

const results = { put: [], tus: [], putRss: [], tusRss: [] };
for (let round = 0; round < ROUNDS; round++) {
  // Alternating which goes first, so that the disk's writeback of one does not always fall on the other.
  const order = [
    ['put', put],
    ['tus', tus],
  ];
  for (const [kind, run] of round % 2 === 0 ? order : order.reverse()) {
    const t0 = process.hrtime.bigint();
    const { peak } = await peakRss(server.pid, () => run(agent, base, auth, `${kind}${round}.bin`));
    const mibs = SIZE / 1048576 / (Number(process.hrtime.bigint() - t0) / 1e9);
    results[kind].push(mibs);
    results[`${kind}Rss`].push(peak);
    log(`round ${round + 1} ${kind}: ${mibs.toFixed(0)} MiB/s, peak RSS ${(peak / 1e6).toFixed(0)} MB`);
  }
}
agent.destroy();

const put_ = median(results.put);
const tus_ = median(results.tus);
const mb = (bytes) => (bytes / 1e6).toFixed(0);
const first = results.tusRss[0];
const most = Math.max(...results.tusRss);
console.log('| 1 GiB, one keep-alive connection | PUT /files | tus, 8 MiB PATCHes | ratio | target | |');
console.log('|---|---:|---:|---:|---:|---|');
console.log(`| throughput (median of ${ROUNDS}) | ${put_.toFixed(0)} MiB/s | ${tus_.toFixed(0)} MiB/s | ${(tus_ / put_).toFixed(2)}x | ≥ 0.8x | ${tus_ / put_ >= 0.8 ? 'met' : 'not met'} |`);
// Round 1 is a fresh server's first two uploads; later rounds inherit the heap the earlier ones grew.
console.log(`| server peak RSS, round 1 (a fresh server) | ${mb(results.putRss[0])} MB | ${mb(first)} MB | | < 150 MB | ${first < 150e6 ? 'met' : 'not met'} |`);
console.log(`| server peak RSS, all ${ROUNDS * 2} GiB in a row | ${mb(Math.max(...results.putRss))} MB | ${mb(most)} MB | | < 150 MB | ${most < 150e6 ? 'met' : 'not met'} |`);
process.exit(0);
