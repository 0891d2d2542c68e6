// Can one account's WebDAV properties stall the server for everyone? Another client asks
// GET /health every 10 ms while one account (1) sends a PROPPATCH of 20,000 properties, (2) fills
// 641 files in a folder with as many properties as a file may hold (100, 64 KiB), and (3) lists
// that folder with Depth 1 allprop several times. Prints the slowest /health answer during each
// phase: the event loop was held at most that long (README "WebDAV against Apache mod_dav").
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, log, processes } from './support.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'cloudstash-dav-stall-'));
const { start, waitUntilUp } = processes(work);
const USER = { username: 'stalluser', password: 'stall-password-1' };
const auth = { Authorization: `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}` };
const FILES = 641;

const port = await freePort();
mkdirSync(join(work, 'data'));
const child = start('cloudstash', process.execPath, [join(ROOT, 'dist', 'main.js')], { env: { ...process.env, PORT: String(port), DATA_DIR: join(work, 'data'), LOG_LEVEL: 'warn' } });
const base = `http://127.0.0.1:${port}`;
await waitUntilUp(`${base}/health`, child, 'cloudstash');
const registered = await fetch(`${base}/register`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(USER) });
if (!registered.ok) throw new Error(`register answered ${registered.status}`);

/** Runs `work` while probing /health every 10 ms; returns the slowest probe in ms. */
async function slowestProbeDuring(work) {
  let running = true;
  let slowest = 0;
  const probe = (async () => {
    while (running) {
      const started = performance.now();
      await (await fetch(`${base}/health`)).arrayBuffer();
      slowest = Math.max(slowest, performance.now() - started);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const result = await work();
  running = false;
  await probe;
  return { slowest, result };
}

const props = (count, value, prefix = 'p') =>
  `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:x"><D:set><D:prop>${Array.from({ length: count }, (_, i) => `<Z:${prefix}${i}>${value}</Z:${prefix}${i}>`).join('')}</D:prop></D:set></D:propertyupdate>`;
const dav = (method, path, body, headers = {}) => fetch(`${base}/dav/${path}`, { method, headers: { ...auth, 'Content-Type': 'application/xml', ...headers }, body });

await dav('MKCOL', 'many');
for (let i = 0; i < FILES; i++) if (!(await dav('PUT', `many/f${i}.txt`, 'x')).ok) throw new Error('PUT failed');

const idle = await slowestProbeDuring(() => new Promise((r) => setTimeout(r, 3000)));
const flood = await slowestProbeDuring(async () => (await dav('PROPPATCH', 'many/f0.txt', props(20_000, ''))).status);
log(`PROPPATCH of 20,000 properties: ${flood.result}`);

// As much as a file may hold: 100 properties of about 640 bytes each (their cost), just under 64 KiB.
const value = 'v'.repeat(500);
const fill = await slowestProbeDuring(async () => {
  let stored = 0;
  for (let i = 0; i < FILES; i++) if ((await dav('PROPPATCH', `many/f${i}.txt`, props(100, value))).status === 207) stored++;
  return stored;
});
log(`files filled to the limit: ${fill.result} of ${FILES}`);

const listing = await slowestProbeDuring(async () => {
  const sizes = [];
  for (let i = 0; i < 5; i++) sizes.push((await (await dav('PROPFIND', 'many/', '', { Depth: '1' })).arrayBuffer()).byteLength);
  return sizes[0];
});
log(`Depth 1 allprop listing: ${(listing.result / 1024 / 1024).toFixed(1)} MiB`);

console.log('| phase | slowest /health answer meanwhile |');
console.log('|---|---|');
console.log(`| nothing (3 s idle) | ${idle.slowest.toFixed(0)} ms |`);
console.log(`| PROPPATCH of 20,000 properties (refused: ${flood.result}) | ${flood.slowest.toFixed(0)} ms |`);
console.log(`| ${FILES} PROPPATCHes of 100 properties, 64 KiB, each | ${fill.slowest.toFixed(0)} ms |`);
console.log(`| 5 × PROPFIND Depth 1 allprop of those ${FILES} files (${(listing.result / 1024 / 1024).toFixed(1)} MiB each) | ${listing.slowest.toFixed(0)} ms |`);
process.exit(0);
