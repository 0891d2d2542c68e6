import { AddressInfo } from 'node:net';
import { openSocket, textUntilClosed } from '../support/raw-socket';
import { startTestApp, TestApp } from '../support/test-app';
import { newUser } from '../support/users';

/** CONTRACT §11: a silent connection is closed after IDLE_TIMEOUT; a slow but moving one is not. */
describe('IDLE_TIMEOUT', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp({ IDLE_TIMEOUT: '1s' });
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

  it('keeps a slow upload that keeps moving, longer than the idle timeout in all', async () => {
    const user = await newUser(t.http, 'idle');
    const socket = await openSocket(port);
    const done = textUntilClosed(socket);
    const chunks = 16;
    socket.write(
      `PUT /files/slow.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.token}\r\nContent-Length: ${chunks}\r\nConnection: close\r\n\r\n`,
    );
    // One byte every 150 ms: 2.4 s in all, never 1 s silent.
    for (let i = 0; i < chunks; i++) {
      await new Promise<void>((resolve) => setTimeout(resolve, 150));
      socket.write('x');
    }
    const answer = await done;
    expect(answer).toMatch(/^HTTP\/1\.1 201 /);
    const file = await t.http.get('/files/slow.bin').set(user.auth).expect(200);
    expect(file.body.toString()).toBe('x'.repeat(chunks));
  });
});
