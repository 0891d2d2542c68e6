import { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import busboy from 'busboy';

/** One file part of a multipart body, as it streams in. */
export interface MultipartFilePart {
  field: string;
  /** The client's file name (never used to build a storage key). */
  filename: string;
  /** The client's declared type; a hint only. */
  declaredType: string;
  stream: Readable;
}

export interface MultipartResult<T> {
  fields: Record<string, string>;
  files: T[];
}

export interface MultipartOptions {
  /** Most text fields kept; more make the body malformed. */
  maxFields?: number;
  /** Longest text field value, bytes. */
  maxFieldBytes?: number;
}

/** The body is not multipart/form-data, or breaks its framing. */
export class MalformedMultipartError extends Error {}

/** The client went away before the body ended. */
export class MultipartAbortedError extends Error {
  constructor() {
    super('the client closed the connection before the upload ended');
  }
}

export function isMultipart(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}

/**
 * Streams a multipart body part by part: `onFile` gets each file part and must consume (or
 * `resume()`) its stream; it never sees the body buffered. Resolves once the body has ended
 * and every `onFile` has settled. When one of them fails, or the body is cut, every part still
 * streaming is destroyed with that error (so its consumer can remove what it wrote), the rest
 * of the request is drained, and the promise rejects with the first error once all handlers settle.
 * Reusable by any upload route (S3's `POST /sounds`, S4's `POST /upload`).
 */
export function readMultipart<T>(
  req: IncomingMessage,
  onFile: (part: MultipartFilePart) => Promise<T>,
  options: MultipartOptions = {},
): Promise<MultipartResult<T>> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { fields: options.maxFields ?? 20, fieldSize: options.maxFieldBytes ?? 64 * 1024 },
      });
    } catch (error) {
      reject(new MalformedMultipartError((error as Error).message));
      return;
    }

    const fields: Record<string, string> = {};
    const handlers: Promise<void>[] = [];
    const results: { index: number; value: T }[] = [];
    const streaming = new Set<Readable>();
    let failure: Error | undefined;
    let parsed = false;

    const fail = (error: Error): void => {
      if (failure) return;
      failure = error;
      req.unpipe(parser);
      // The rest of the body is read and dropped, so that the answer reaches the client.
      req.resume();
      for (const stream of streaming) stream.destroy(error);
      streaming.clear();
      void settle();
    };

    // Called more than once (failure, then the parser's close); the first answer wins.
    const settle = async (): Promise<void> => {
      // A handler may settle after the parser ends; wait for all of them before answering.
      await Promise.allSettled(handlers);
      if (failure) reject(failure);
      else resolve({ fields, files: results.sort((a, b) => a.index - b.index).map((r) => r.value) });
    };

    parser.on('file', (field, stream, info) => {
      if (failure) {
        stream.resume();
        return;
      }
      streaming.add(stream);
      stream.once('end', () => streaming.delete(stream));
      const index = handlers.length;
      handlers.push(
        onFile({ field, filename: info.filename ?? '', declaredType: info.mimeType ?? '', stream }).then(
          (value) => {
            results.push({ index, value });
          },
          (error: Error) => fail(error),
        ),
      );
    });
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(new MalformedMultipartError(`field "${name}" is too long`));
      else fields[name] = value;
    });
    parser.on('fieldsLimit', () => fail(new MalformedMultipartError('too many fields')));
    parser.on('error', (error: Error) => fail(new MalformedMultipartError(error.message)));
    parser.on('close', () => {
      parsed = true;
      void settle();
    });
    req.on('close', () => {
      if (!parsed && !req.complete) fail(new MultipartAbortedError());
    });
    req.pipe(parser);
  });
}
