import { ChildProcess } from 'node:child_process';

/**
 * Resolves when a server's log (its stderr) says it is ready: the line is the event, so nothing
 * polls. Rejects if the server exits first, or (a bound on a broken start, not a wait) after
 * `timeoutMs`, with the log so far.
 */
export function readyLine(server: ChildProcess, ready: RegExp, name: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const done = (error?: Error): void => {
      clearTimeout(timer);
      server.stderr?.off('data', onData);
      server.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    const onData = (chunk: Buffer | string): void => {
      log = (log + chunk.toString()).slice(-16_384);
      if (ready.test(log)) done();
    };
    const onExit = (code: number | null, signal: string | null): void => done(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${log}`));
    const timer = setTimeout(() => done(new Error(`${name} not ready after ${timeoutMs} ms:\n${log}`)), timeoutMs);
    server.stderr?.on('data', onData);
    server.once('exit', onExit);
  });
}
