import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { Request, Response } from 'express';
import { MetricsService, TransferSource } from '../observability/metrics.service';
import { BlobStore } from './blob-store';
import { planResponse } from './range-request';

export const RANGE_NOT_SATISFIABLE = 'Requested range not satisfiable';

export type Disposition = 'inline' | 'attachment';

/** Stored bytes as a route serves them. */
export interface ServedBlob {
  key: string;
  size: number;
  contentType: string;
  /** Hex sha256 of the bytes: the strong ETag. */
  sha256: string;
  lastModified: Date;
}

export interface BlobResponseOptions {
  /** Which download counter the bytes go to. */
  source: TransferSource;
  /** On every answer (also 304 and 416): caching policy, sandboxing. */
  headers?: Readonly<Record<string, string>>;
  /** Content-Disposition of an answer with a body. */
  disposition?: { type: Disposition; filename: string };
  /**
   * Called once the answer is planned and before anything is written, for answers that will carry
   * the blob (not 304 or 416). Throwing refuses the request. It may resolve to a function that
   * hears how many of the body's bytes were never handed to the connection, when the answer
   * ended without all of them (a cut connection, a store that failed). Public links reserve their
   * budget of bytes here and give back what was not sent.
   */
  admit?: (body: AdmittedBody) => Promise<ReleaseUnsent | undefined>;
}

/** What an admitted answer carries. */
export interface AdmittedBody {
  /** The body's length: the range's, the whole blob's, 0 for HEAD. */
  bytes: number;
  /** The whole blob as a GET's `200` (not a range, not HEAD). */
  whole: boolean;
}

export type ReleaseUnsent = (unsent: number) => Promise<void>;

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** RFC 6266: an ASCII fallback for old clients plus the exact UTF-8 name. */
export function contentDisposition(disposition: Disposition, name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/**
 * Writes stored bytes to the response, the same way on every route that serves them (files,
 * sounds): ETag (the sha256) and Last-Modified, conditional requests, a single byte range, HEAD,
 * and the bytes streamed from the blob store with backpressure.
 */
@Injectable()
export class BlobResponder {
  constructor(
    private readonly blobs: BlobStore,
    private readonly metrics: MetricsService,
  ) {}

  async send(req: Request, res: Response, blob: ServedBlob, options: BlobResponseOptions): Promise<void> {
    const etag = `"${blob.sha256}"`;
    const plan = planResponse(
      { range: header(req, 'range'), ifRange: header(req, 'if-range'), ifNoneMatch: header(req, 'if-none-match'), ifModifiedSince: header(req, 'if-modified-since') },
      { size: blob.size, etag, lastModified: blob.lastModified },
    );
    const head = req.method === 'HEAD';
    const range = plan.status === 206 ? plan.range : undefined;
    const length = range ? range.end - range.start + 1 : blob.size;
    let release: ReleaseUnsent | undefined;
    if (options.admit && plan.status !== 304 && plan.status !== 416) {
      release = await options.admit({ bytes: head ? 0 : length, whole: !head && plan.status === 200 });
    }
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', blob.lastModified.toUTCString());
    res.setHeader('Accept-Ranges', 'bytes');
    for (const [name, value] of Object.entries(options.headers ?? {})) res.setHeader(name, value);
    if (plan.status === 304) {
      res.status(304).end();
      return;
    }
    if (plan.status === 416) {
      res.setHeader('Content-Range', `bytes */${blob.size}`);
      throw new HttpException({ error: RANGE_NOT_SATISFIABLE }, HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
    }
    res.status(plan.status);
    res.setHeader('Content-Type', blob.contentType);
    res.setHeader('Content-Length', String(length));
    if (options.disposition) res.setHeader('Content-Disposition', contentDisposition(options.disposition.type, options.disposition.filename));
    if (range) res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${blob.size}`);
    if (head || length === 0) {
      res.end();
      return;
    }
    let sent = 0;
    try {
      // The store streams with backpressure; a missing blob rejects before a byte is written,
      // so the error still gets a clean answer.
      // Counted as each chunk goes out, so the counter is complete before the client has the last byte.
      await this.blobs.sendTo(blob.key, res, range, (bytes) => {
        sent += bytes;
        this.metrics.bytesDownloaded(bytes, options.source);
      });
    } catch (error) {
      // The client went away mid-download: the store has closed the blob; nobody is left to answer.
      if (res.destroyed || req.destroyed) return;
      throw error;
    } finally {
      // Handed to the connection counts as sent, also what a cut then lost on the way.
      if (release && sent < length) await release(length - sent);
    }
  }
}
