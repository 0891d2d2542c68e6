import { AddressInfo } from 'node:net';
import { openSocket, textUntilClosed } from '../support/raw-socket';
import { startTestApp, TestApp } from '../support/test-app';
import { newUser } from '../support/users';

/** CONTRACT §11: a silent connection is closed after IDLE_TIMEOUT; a slow but moving one is not. */
const IDLE_MS = 2000;

describe('IDLE_TIMEOUT', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp({ IDLE_TIMEOUT: `${IDLE_MS}ms` });
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  it('closes a connection that promised a body and went silent', async () => {
    const socket = await openSocket(port);
    const done = textUntilClosed(socket);
    socket.write('POST /register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    // Resolves only because the server closes the socket; jest's timeout fails the test otherwise.
    await done;
    expect(socket.destroyed).toBe(true);
  });

  it('closes a connection that never finishes its headers', async () => {
    const socket = await openSocket(port);
    const done = textUntilClosed(socket);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    await done;
    expect(socket.destroyed).toBe(true);
  });

  it('keeps an upload that keeps moving for longer than the idle timeout in all', async () => {
    const user = await newUser(t.http, 'idle');
    const socket = await openSocket(port);
    const done = textUntilClosed(socket);
    socket.write(`PUT /files/long.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.token}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`);
    // A few bytes at a time, each after a round trip to the server on another connection: never
    // silent, little data (so no disk stalls the reading), and on for twice the idle timeout. A
    // slower machine only makes the round trips, and so the upload, slower.
    const piece = Buffer.alloc(16, 'x');
    const write = (text: string | Buffer): Promise<void> => new Promise((resolve, reject) => socket.write(text, (error) => (error ? reject(error) : resolve())));
    const started = Date.now();
    let sent = 0;
    while (Date.now() - started < 2 * IDLE_MS) {
      await write(Buffer.concat([Buffer.from('10\r\n'), piece, Buffer.from('\r\n')]));
      sent += piece.length;
      await t.http.get('/health').expect(200);
    }
    await write('0\r\n\r\n');
    const answer = await done;
    expect(answer).toMatch(/^HTTP\/1\.1 201 /);
    expect(answer).toContain(`"size":${sent}`);
  });
});
