// One class of clients for bench/load.mjs, in its own process: autocannon instances sharing one
// event loop starve each other (fast listings left 256 KiB uploads no turn), which would measure
// the load generator instead of the server. Input: one JSON argument; output: one JSON line.
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

const { kind, url, connections, duration, users } = JSON.parse(process.argv[2]);
const pick = () => users[Math.floor(Math.random() * users.length)];
const auth = (user) => ({ authorization: `Bearer ${user.token}` });

// 256 KiB bodies from a small pool, so that each stored upload can be checked afterwards.
const pool = Array.from({ length: 8 }, () => randomBytes(256 * 1024));
const poolHashes = pool.map((b) => createHash('sha256').update(b).digest('hex'));
const stored = [];
let sequence = 0;

const requests = {
  login: [
    {
      method: 'POST',
      path: '/login',
      setupRequest: (req) => {
        const user = pick();
        return { ...req, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user.username, password: user.password }) };
      },
    },
  ],
  list: [{ method: 'GET', path: '/files', setupRequest: (req) => ({ ...req, headers: auth(pick()) }) }],
  download: [{ method: 'GET', path: '/files/big.bin', setupRequest: (req) => ({ ...req, headers: auth(pick()) }) }],
  upload: [
    {
      method: 'PUT',
      setupRequest: (req, context) => {
        const n = sequence++;
        const user = users[n % users.length];
        context.upload = { username: user.username, name: `up-${process.pid}-${n}.bin`, sha256: poolHashes[n % pool.length] };
        return { ...req, path: `/files/${context.upload.name}`, headers: { ...auth(user), 'content-type': 'application/octet-stream' }, body: pool[n % pool.length] };
      },
      onResponse: (status, _body, context) => {
        if (status === 201) stored.push(context.upload);
      },
    },
  ],
}[kind];

autocannon({ url, connections, duration, requests }, (error, result) => {
  if (error) throw error;
  process.stdout.write(
    `${JSON.stringify({
      requests: result.requests.total,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
      statusCodeStats: result.statusCodeStats,
      stored,
    })}\n`,
  );
});
