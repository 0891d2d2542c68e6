import { IncomingHttpHeaders } from 'node:http';
import { ByteRange } from '../../storage/blob-store';

/** What a ranged read of `size` bytes should answer. */
export type RangePlan =
  | { status: 200 }
  | { status: 206; range: ByteRange }
  /** Range not satisfiable: answer with `Content-Range: bytes *\/size`. */
  | { status: 416 };

/**
 * Reads a `Range` header against a resource of `size` bytes (RFC 9110 §14). One range only:
 * a multi-range request is answered with the whole body, which the RFC allows. A header that
 * does not parse is ignored (200), as the RFC asks; a well-formed range past the end is 416.
 */
export function planRange(header: string | undefined, size: number): RangePlan {
  if (!header) return { status: 200 };
  const match = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return { status: 200 };
  let start: number;
  let end: number;
  if (match[1] === '') {
    // Suffix range: the last N bytes.
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return { status: 416 };
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
    if (match[2] !== '' && Number(match[2]) < start) return { status: 200 };
    if (start >= size) return { status: 416 };
  }
  return { status: 206, range: { start, end } };
}

/** `If-Range` with a strong ETag: the range applies only when the representation is unchanged. */
export function ifRangeAllows(headers: IncomingHttpHeaders, etag: string, lastModified: Date): boolean {
  const raw = headers['if-range'];
  const condition = Array.isArray(raw) ? raw[0] : raw;
  if (!condition) return true;
  if (condition.startsWith('"') || condition.startsWith('W/')) return condition === etag;
  const date = Date.parse(condition);
  return !Number.isNaN(date) && Math.floor(lastModified.getTime() / 1000) <= Math.floor(date / 1000);
}

/** Headers of a body served from a blob: full (200), partial (206) or not satisfiable (416). */
export function rangeHeaders(plan: RangePlan, size: number): Record<string, string> {
  switch (plan.status) {
    case 200:
      return { 'Accept-Ranges': 'bytes', 'Content-Length': String(size) };
    case 206:
      return {
        'Accept-Ranges': 'bytes',
        'Content-Length': String(plan.range.end - plan.range.start + 1),
        'Content-Range': `bytes ${plan.range.start}-${plan.range.end}/${size}`,
      };
    case 416:
      return { 'Accept-Ranges': 'bytes', 'Content-Range': `bytes */${size}` };
  }
}
