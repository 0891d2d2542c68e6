import { BadRequestException } from '@nestjs/common';
import busboy, { Busboy } from 'busboy';
import { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { FILE_MESSAGES, UPLOAD_PART_NAME } from './files.constants';

export interface UploadPart {
  filename: string;
  mimeType: string;
  /** The part's bytes, straight off the request: consume it before asking for the next part. */
  stream: Readable;
}

/** The client closed the connection before the body ended. */
export class ClientGoneError extends Error {
  constructor() {
    super('the client closed the connection mid-upload');
  }
}

/**
 * The `file` parts of a multipart request, one at a time as they arrive (busboy). Nothing is
 * buffered beyond the streams' own high-water marks: until a part's stream is read, busboy
 * stops reading the request. Other parts are skipped.
 */
export class MultipartFileParts implements AsyncIterable<UploadPart> {
  private readonly queue: UploadPart[] = [];
  private readonly parser: Busboy;
  private finished = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly req: IncomingMessage) {
    try {
      this.parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        // Bigger buffers than the 16 KiB defaults: far fewer, larger writes to the blob store.
        highWaterMark: 1024 * 1024,
        fileHwm: 1024 * 1024,
        limits: { fields: 100, fieldSize: 64 * 1024, parts: 1000, headerPairs: 100 },
      });
    } catch {
      throw new BadRequestException({ error: FILE_MESSAGES.notMultipart });
    }
    this.parser.on('file', (field, stream, info) => {
      if (field !== UPLOAD_PART_NAME || !info.filename) {
        stream.resume();
        return;
      }
      // The parser may fail the part before its write starts reading it; the failure is reported
      // through `failure` (and through the write, once it reads), never as an unhandled event.
      stream.on('error', () => undefined);
      this.queue.push({ filename: info.filename, mimeType: info.mimeType, stream });
      this.notify();
    });
    this.parser.on('close', () => {
      this.finished = true;
      this.notify();
    });
    this.parser.on('error', (error: Error) => this.fail(new BadRequestException({ error: FILE_MESSAGES.malformedMultipart(error.message) })));
    req.on('close', () => {
      // Destroying the parser errors the part being streamed, which fails (and cleans up) its write.
      if (!req.complete) this.abort(new ClientGoneError());
    });
    req.pipe(this.parser);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<UploadPart> {
    for (;;) {
      if (this.failure) throw this.failure;
      const part = this.queue.shift();
      if (part) {
        yield part;
        continue;
      }
      if (this.finished) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /**
   * Why parsing failed, when the body itself was malformed: a part cut short by that surfaces
   * as a stream error in its write, but the client deserves the 400 that explains it.
   */
  get malformation(): BadRequestException | undefined {
    return this.failure instanceof BadRequestException ? this.failure : undefined;
  }

  /** Stops parsing: the request is no longer read into the parser. */
  abort(reason: Error = new ClientGoneError()): void {
    this.req.unpipe(this.parser);
    if (!this.parser.destroyed) this.parser.destroy(reason);
    this.fail(reason);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
