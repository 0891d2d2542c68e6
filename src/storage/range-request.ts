import { ByteRange } from './blob-store';

/** What the conditional and range headers are compared against. */
export interface Representation {
  size: number;
  /** Strong, quoted. */
  etag: string;
  lastModified: Date;
}

export interface ConditionalHeaders {
  range?: string;
  ifRange?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
}

export type ResponsePlan = { status: 200 } | { status: 206; range: ByteRange } | { status: 304 } | { status: 416 };

function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2). */
function noneMatchHits(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => opaque(tag.trim()) === etag);
}

function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** If-Range: a strong ETag match, or exactly the Last-Modified date (RFC 9110 §13.1.5). */
function ifRangeHolds(header: string, rep: Representation): boolean {
  const value = header.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === rep.etag;
  const date = Date.parse(value);
  return !Number.isNaN(date) && Math.floor(date / 1000) === seconds(rep.lastModified);
}

/**
 * One `bytes=` range (RFC 9110 §14); undefined when the header is to be ignored (not bytes,
 * malformed, several ranges: the whole body is a valid answer to a multi-range request).
 */
function parseRange(header: string, size: number): ByteRange | 'unsatisfiable' | undefined {
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const last = match[2] === '' ? undefined : Number(match[2]);
  if (last !== undefined && last < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(last ?? size - 1, size - 1) };
}

/**
 * Decides between 200, 206, 304 and 416 for a read of `rep` (RFC 9110 §13.2.2 order). The one
 * planner of every route that serves stored bytes (files, sounds), so that they all answer alike.
 */
export function planResponse(headers: ConditionalHeaders, rep: Representation): ResponsePlan {
  if (headers.ifNoneMatch !== undefined) {
    if (noneMatchHits(headers.ifNoneMatch, rep.etag)) return { status: 304 };
  } else if (headers.ifModifiedSince !== undefined) {
    const since = Date.parse(headers.ifModifiedSince);
    if (!Number.isNaN(since) && seconds(rep.lastModified) <= Math.floor(since / 1000)) return { status: 304 };
  }
  if (headers.range === undefined) return { status: 200 };
  if (headers.ifRange !== undefined && !ifRangeHolds(headers.ifRange, rep)) return { status: 200 };
  const range = parseRange(headers.range, rep.size);
  if (range === undefined) return { status: 200 };
  if (range === 'unsatisfiable') return { status: 416 };
  return { status: 206, range };
}
