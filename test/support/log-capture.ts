import { Writable } from 'node:stream';

export type LogLine = Record<string, unknown>;

/** Every JSON line the app logs (the pino destination injected through createApp), kept in memory. */
export class LogCapture extends Writable {
  readonly lines: LogLine[] = [];
  raw = '';
  private readonly waiters: { match: (line: LogLine) => boolean; resolve: () => void }[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.raw += chunk.toString('utf8');
    for (const text of chunk.toString('utf8').split('\n')) {
      if (text.trim() === '') continue;
      const line = JSON.parse(text) as LogLine;
      this.lines.push(line);
      for (const waiter of [...this.waiters]) {
        if (!waiter.match(line)) continue;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    done();
  }

  /** Resolves when a line that matches is (or has been) written. */
  waitFor(match: (line: LogLine) => boolean): Promise<void> {
    if (this.lines.some(match)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  requestLines(): LogLine[] {
    return this.lines.filter((l) => l.msg === 'request completed' || l.msg === 'request failed');
  }
}
