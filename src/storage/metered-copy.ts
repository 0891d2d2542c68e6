import { createHash, Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlobTooLargeError, BlobWriteResult } from './blob-store';

/**
 * Call before the first await of a write, release when it settles: a source that fails while
 * the driver is still opening its file would otherwise emit 'error' with no listener and crash
 * the process. The error is not lost: the stream keeps it and iterating it re-throws it.
 */
export function holdEarlyErrors(source: Readable): () => void {
  const ignore = (): void => undefined;
  source.on('error', ignore);
  return () => source.off('error', ignore);
}

/**
 * Pulls `source` chunk by chunk into `sink`, counting and hashing on the way, and stops at the
 * first byte over `maxBytes`. The source is iterated without destroy-on-return so that stopping
 * early leaves it intact: an HTTP request destroyed here would take the socket with it and the
 * caller could no longer answer 413.
 */
export async function meteredCopy(
  source: Readable,
  maxBytes: number | undefined,
  sink: (chunk: Buffer) => Promise<void> | void,
): Promise<BlobWriteResult> {
  const hash = createHash('sha256');
  const size = await countedCopy(source, maxBytes, sink, hash);
  return { size, sha256: hash.digest('hex') };
}

/** meteredCopy into a hash the caller keeps (a blob written over several requests); resolves to the byte count. */
export async function countedCopy(source: Readable, maxBytes: number | undefined, sink: (chunk: Buffer) => Promise<void> | void, hash?: Hash): Promise<number> {
  let size = 0;
  for await (const data of source.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer | string>) {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    size += chunk.length;
    if (maxBytes !== undefined && size > maxBytes) throw new BlobTooLargeError(maxBytes);
    hash?.update(chunk);
    const pending = sink(chunk);
    if (pending) await pending;
  }
  return size;
}
