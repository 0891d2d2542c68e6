import { AddressInfo } from 'node:net';
import { Server } from 'node:http';
import { LogCapture } from '../support/log-capture';
import { openSocket, textUntilClosed } from '../support/raw-socket';
import { startTestApp, TestApp } from '../support/test-app';

/** CONTRACT §3 operations, issue 8: /health/ready says 503 from SIGTERM on, while requests drain. */
describe('GET /health/ready while draining', () => {
  let t: TestApp;
  const logs = new LogCapture();
  beforeAll(async () => {
    t = await startTestApp({ SHUTDOWN_GRACE: '30s', LOG_LEVEL: 'info' }, { logDestination: logs });
  });

  it('answers 200 before, and 503 {error} on a connection still open after shutdown began, while liveness stays 200', async () => {
    await t.http.get('/health/ready').expect(200);
    const server = t.app.getHttpServer() as Server;
    const port = (server.address() as AddressInfo).port;
    // Two requests whose bodies are still arriving: they keep their connections busy through the drain.
    const ready = await openSocket(port);
    const live = await openSocket(port);
    const readyAnswer = textUntilClosed(ready);
    const liveAnswer = textUntilClosed(live);
    ready.write('GET /health/ready HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{');
    live.write('GET /health HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{');

    const closing = t.close();
    // Logged once the listening socket is closed: from here on, the server is draining.
    await logs.waitFor((line) => typeof line.msg === 'string' && line.msg.includes('no new connections'));
    expect(server.listening).toBe(false);
    ready.write('}');
    live.write('}');
    const [readyText, liveText] = await Promise.all([readyAnswer, liveAnswer]);
    await closing;
    expect(readyText).toMatch(/^HTTP\/1\.1 503 /);
    expect(readyText).toContain('"error":"not ready: draining after SIGTERM"');
    expect(liveText).toMatch(/^HTTP\/1\.1 200 /);
  });
});
