import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { OpenAPIObject } from '@nestjs/swagger';
import { openApiJson } from '../../src/openapi';
import { startTestApp, TestApp, uniqueName } from '../support/test-app';

const METHOD_NOT_ALLOWED = { error: 'Method not allowed for this endpoint' };

/** The routes of the Foundation issue with the answers the contract names for each. */
const FOUNDATION_ROUTES: Record<string, { responses: string[]; body?: boolean }> = {
  'post /register': { responses: ['204', '400'], body: true },
  'post /login': { responses: ['200', '400', '403'], body: true },
  'post /logout': { responses: ['200', '403'] },
  'post /auth': { responses: ['200', '403'], body: true },
  'delete /auth': { responses: ['204', '400', '401'] },
  'post /authenticate': { responses: ['200', '400', '403', '404'], body: true },
  'get /auth/sessions': { responses: ['200', '400', '401'] },
  'delete /auth/sessions': { responses: ['204', '400', '401'] },
  'delete /auth/sessions/{id}': { responses: ['204', '400', '401', '404'] },
  'get /': { responses: ['200', '302'] },
  'post /user': { responses: ['201', '400', '409'], body: true },
  'get /user/{username}': { responses: ['200', '400', '401', '403', '404'] },
  'put /user/{username}': { responses: ['200', '400', '401', '403', '404'], body: true },
  'delete /user/{username}': { responses: ['200', '400', '401', '403', '404'] },
  'post /user/{username}': { responses: ['201', '400', '401', '403', '409'], body: true },
  'put /user/{username}/password': { responses: ['204', '400', '401', '403'], body: true },
  'delete /users': { responses: ['200', '400', '401', '403'], body: true },
  'get /admin/users': { responses: ['200', '400', '401', '403'] },
  'patch /admin/users/{username}': { responses: ['200', '400', '401', '403', '404'], body: true },
  'delete /admin/users/{username}/sessions': { responses: ['204', '400', '401', '403', '404'] },
  'get /health': { responses: ['200'] },
  'get /health/ready': { responses: ['200', '503'] },
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

interface Operation {
  operationId?: string;
  responses: Record<string, unknown>;
  requestBody?: unknown;
  security?: Record<string, string[]>[];
  'x-public'?: boolean;
}

function operations(doc: OpenAPIObject): [string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((m) => (item as Record<string, unknown>)[m]).map((m): [string, Operation] => [`${m} ${path}`, (item as Record<string, Operation>)[m]]),
  );
}

/** Sends raw bytes and returns the status line's code and the body, as a bare client sees them. */
async function rawPost(t: TestApp, path: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: { error?: string } }> {
  const { port } = (t.app.getHttpServer() as import('node:http').Server).address() as AddressInfo;
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body, headers });
  return { status: res.status, body: (await res.json()) as { error?: string } };
}

describe('Platform', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('unknown paths and methods', () => {
    it('answers an unknown path with a JSON 404 {error: "Not Found"}', async () => {
      const res = await t.http.get('/no/such/thing').expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ error: 'Not Found' });
    });

    it.each([
      ['PATCH', '/login', ['POST']],
      ['GET', '/register', ['POST']],
      ['PUT', '/authenticate', ['POST']],
      ['POST', '/health', ['GET', 'HEAD']],
      ['PATCH', '/users', ['DELETE']],
      ['PATCH', '/user/someone', ['DELETE', 'GET', 'HEAD', 'POST', 'PUT']],
    ])('answers %s %s with 405 {error} and an Allow header', async (method, path, allow) => {
      const res = await t.http[method.toLowerCase() as 'get'](path).expect(405);
      expect(res.body).toEqual(METHOD_NOT_ALLOWED);
      expect(res.headers.allow.split(', ').sort()).toEqual(allow);
    });
  });

  describe('JSON bodies', () => {
    it('answers malformed JSON with 400 {error: "Malformed JSON: …"}', async () => {
      const res = await t.http.post('/login').set('Content-Type', 'application/json').send('{"username": "a",').expect(400);
      expect(res.body).toEqual({ error: expect.stringMatching(/^Malformed JSON: /) });
    });

    it('answers malformed JSON sent with no Content-Type with 400 too', async () => {
      const res = await rawPost(t, '/register', Buffer.from('username=abc&password=x'));
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/^Malformed JSON/);
    });

    it('answers a body that is not valid UTF-8 with 400, never 500', async () => {
      const bytes = Buffer.concat([Buffer.from('{"username": "'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('", "password": "password1"}')]);
      const res = await rawPost(t, '/register', bytes, { 'Content-Type': 'application/json' });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/UTF-8/);
    });

    it('answers a JSON body over 1 MiB with 413 {error}, never 500', async () => {
      const big = JSON.stringify({ username: 'someone', password: 'password1', pad: 'x'.repeat(1024 * 1024) });
      const res = await t.http.post('/user').set('Content-Type', 'application/json').send(big).expect(413);
      expect(res.body).toEqual({ error: expect.any(String) });
    });

    it('answers a chunked JSON body over 1 MiB with 413 as well', async () => {
      const chunk = Buffer.alloc(256 * 1024, 'x');
      const { port } = (t.app.getHttpServer() as import('node:http').Server).address() as AddressInfo;
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(Buffer.from('{"pad": "'));
          for (let i = 0; i < 6; i++) controller.enqueue(chunk);
          controller.enqueue(Buffer.from('"}'));
          controller.close();
        },
      });
      const res = await fetch(`http://127.0.0.1:${port}/login`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' }, duplex: 'half' });
      expect(res.status).toBe(413);
    });

    it('parses a JSON body under 1 MiB, so that the route decides (here: data over 64 KiB is 400)', async () => {
      const res = await t.http
        .post('/user')
        .send({ username: uniqueName(), password: 'password1', pad: 'x'.repeat(900 * 1024) })
        .expect(400);
      expect(res.body.error).toMatch(/64 KiB/);
    });

    it('survives a client that cuts the connection in the middle of a body', async () => {
      const { port } = (t.app.getHttpServer() as import('node:http').Server).address() as AddressInfo;
      await new Promise<void>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write('POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"username": "ab');
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 50);
        });
        socket.on('error', reject);
      });
      await t.http.get('/health').expect(200, { status: 'ok' });
    });

    it('answers JSON error bodies as application/json; charset=utf-8', async () => {
      const res = await t.http.post('/login').send({ username: uniqueName(), password: 'password1' }).expect(403);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    });
  });

  describe('GET /', () => {
    it('redirects a browser to the web page /app/ with 302', async () => {
      const res = await t.http.get('/').set('Accept', 'text/html').expect(302);
      expect(res.headers.location).toBe('/app/');
    });
  });

  describe('GET /health', () => {
    it('answers 200 {status: "ok"}', async () => {
      await t.http.get('/health').expect(200, { status: 'ok' });
    });
  });

  describe('GET /health/ready', () => {
    it('answers 200 {status: "ok"} with the database and session store up', async () => {
      const res = await t.http.get('/health/ready').expect(200);
      expect(res.body.status).toBe('ok');
      expect(res.body.info).toEqual(expect.objectContaining({ database: { status: 'up' }, sessions: { status: 'up' } }));
    });
  });

  describe('GET /docs and /docs-json', () => {
    let doc: OpenAPIObject;
    beforeAll(async () => {
      doc = (await t.http.get('/docs-json').expect(200)).body;
    });

    it('serves Swagger UI at /docs', async () => {
      const res = await t.http.get('/docs').redirects(1).expect(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('swagger');
    });

    it('is OpenAPI 3 with the five credential schemes', () => {
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.components?.securitySchemes).toEqual({
        bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
        basic: expect.objectContaining({ type: 'http', scheme: 'basic' }),
        'X-Session': expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Session' }),
        token: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'token' }),
        session: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'session' }),
      });
    });

    it.each(Object.entries(FOUNDATION_ROUTES))('documents %s with its request schema and responses', (route, expected) => {
      const op = new Map(operations(doc)).get(route);
      expect(op).toBeDefined();
      expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining(expected.responses));
      if (expected.body) expect(op?.requestBody).toBeDefined();
    });

    it('gives every operation a security entry, or marks it public by design (x-public)', () => {
      const unmarked = operations(doc)
        .filter(([, op]) => !(op.security && op.security.length > 0) && op['x-public'] !== true)
        .map(([route]) => route);
      expect(unmarked).toEqual([]);
    });

    it('offers all five credentials on every operation that needs a session', () => {
      for (const [route, op] of operations(doc)) {
        if (op['x-public']) continue;
        const schemes = (op.security ?? []).flatMap((requirement) => Object.keys(requirement)).sort();
        expect({ route, schemes }).toEqual({ route, schemes: ['X-Session', 'basic', 'bearer', 'session', 'token'] });
      }
    });

    it('uses unique operation ids', () => {
      const ids = operations(doc).map(([, op]) => op.operationId);
      expect(ids.every((id) => typeof id === 'string')).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('matches the committed openapi.json', () => {
      const committed = readFileSync(join(__dirname, '..', '..', 'openapi.json'), 'utf8');
      const current = openApiJson(doc);
      if (committed !== current) {
        throw new Error('openapi.json is stale: the routes or DTOs changed. Run `npm run openapi` and commit openapi.json.');
      }
    });
  });
});
