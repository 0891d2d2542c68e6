// The floor for small requests: a bare Express 5 app answering GET /files with the same 25
// names Cloudstash lists in bench/requests.mjs. No auth, no database, no logging.
// Usage: node bench/baseline-express.mjs <port>
import express from 'express';
import { NAMES } from './names.mjs';

const app = express();
app.get('/files', (_req, res) => res.json(NAMES));
const server = app.listen(Number(process.argv[2]), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
