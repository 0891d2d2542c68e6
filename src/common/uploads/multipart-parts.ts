import { BadRequestException } from '@nestjs/common';
import busboy, { Busboy } from 'busboy';
import { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

export const MULTIPART_MESSAGES = {
  malformed: (reason: string) => `Malformed multipart body: ${reason}`,
  aborted: 'The upload was cut off before it ended',
} as const;

export interface MultipartOptions {
  /** The name of the parts that carry the files; file parts under other names are skipped. */
  fileField: string;
  /** The answer to a body that is not multipart/form-data (each module words its own). */
  notMultipart: string;
  /** Most text fields kept; more make the body malformed. */
  maxFields?: number;
  /** Longest text field value, bytes; a longer one makes the body malformed. */
  maxFieldBytes?: number;
}

export interface UploadPart {
  /** The client's file name (never used to build a storage key). */
  filename: string;
  /** The client's declared type; a hint only. */
  mimeType: string;
  /** The part's bytes, straight off the request: consume it before asking for the next part. */
  stream: Readable;
}

/**
 * The file parts of a multipart request, one at a time as they arrive (busboy), and its text
 * fields. Nothing is buffered beyond the streams' own high-water marks: until a part's stream is
 * read, busboy stops reading the request. The one multipart parser of every upload route
 * (S4's `POST /upload`, S3's `POST /sounds`), behind MultipartUploadInterceptor.
 */
export class MultipartParts implements AsyncIterable<UploadPart> {
  /** The text fields; complete once iteration has ended (a field may follow the file parts). */
  readonly fields = new Map<string, string>();
  private readonly queue: UploadPart[] = [];
  private readonly parser: Busboy;
  private finished = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly req: IncomingMessage,
    options: MultipartOptions,
  ) {
    const maxFieldBytes = options.maxFieldBytes ?? 64 * 1024;
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data')) {
      throw new BadRequestException({ error: options.notMultipart });
    }
    try {
      this.parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        // Bigger buffers than the 16 KiB defaults: far fewer, larger writes to the blob store.
        highWaterMark: 1024 * 1024,
        fileHwm: 1024 * 1024,
        limits: { fields: options.maxFields ?? 100, fieldSize: maxFieldBytes, parts: 1000, headerPairs: 100 },
      });
    } catch {
      throw new BadRequestException({ error: options.notMultipart });
    }
    this.parser.on('file', (field, stream, info) => {
      if (field !== options.fileField || !info.filename || this.failure) {
        stream.resume();
        return;
      }
      // The parser may fail the part before its write starts reading it; the failure is reported
      // through `failure` (and through the write, once it reads), never as an unhandled event.
      stream.on('error', () => undefined);
      this.queue.push({ filename: info.filename, mimeType: info.mimeType, stream });
      this.notify();
    });
    this.parser.on('field', (name, value, info) => {
      if (info.valueTruncated) this.malformed(`field "${name}" is longer than ${maxFieldBytes} bytes`);
      else this.fields.set(name, value);
    });
    this.parser.on('fieldsLimit', () => this.malformed('too many fields'));
    this.parser.on('close', () => {
      this.finished = true;
      this.notify();
    });
    this.parser.on('error', (error: Error) => this.fail(new BadRequestException({ error: MULTIPART_MESSAGES.malformed(error.message) })));
    req.on('close', () => {
      // Destroying the parser errors the part being streamed, which fails (and cleans up) its write.
      if (!req.complete) this.abort(new BadRequestException({ error: MULTIPART_MESSAGES.aborted }));
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
   * Why parsing failed, when the body itself was at fault (malformed, or cut by the client): a
   * part cut short by that surfaces as a stream error in its write, but the client deserves the
   * 400 that explains it.
   */
  get malformation(): BadRequestException | undefined {
    return this.failure instanceof BadRequestException ? this.failure : undefined;
  }

  /** Stops parsing: the request is no longer read into the parser, and the part streaming fails. */
  abort(reason: Error = new Error('the upload was abandoned')): void {
    this.req.unpipe(this.parser);
    if (!this.parser.destroyed) this.parser.destroy(reason);
    this.fail(reason);
  }

  private malformed(reason: string): void {
    this.abort(new BadRequestException({ error: MULTIPART_MESSAGES.malformed(reason) }));
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
