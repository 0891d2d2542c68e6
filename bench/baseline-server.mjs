// The smallest honest file server on node:http: PUT streams the body to a temp file and renames
// it into place, GET streams the file back. No hashing, no fsync, no framework: the floor that
// Cloudstash's own overhead is measured against.
// Usage: node bench/baseline-server.mjs <root> <port> <highWaterMark bytes>
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const [root, port, hwm] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
mkdirSync(join(root, '.tmp'), { recursive: true });
let counter = 0;

const server = createServer(async (req, res) => {
  const name = decodeURIComponent(new URL(req.url, 'http://x').pathname.slice(1));
  if (!name || name.includes('/') || name.startsWith('.')) return res.writeHead(400).end();
  const path = join(root, name);
  try {
    if (req.method === 'PUT') {
      const temp = join(root, '.tmp', `${process.pid}-${counter++}`);
      try {
        await pipeline(req, createWriteStream(temp, { highWaterMark: hwm }));
        await rename(temp, path);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      return res.writeHead(201).end();
    }
    if (req.method === 'GET') {
      const info = await stat(path);
      res.writeHead(200, { 'Content-Length': info.size, 'Content-Type': 'application/octet-stream' });
      return await pipeline(createReadStream(path, { highWaterMark: hwm }), res);
    }
    res.writeHead(405).end();
  } catch (error) {
    if (!res.headersSent) res.writeHead(error.code === 'ENOENT' ? 404 : 500).end();
    else res.destroy();
  }
});
server.requestTimeout = 0;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
