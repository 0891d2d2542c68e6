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
   * bytes: `whole` is false for HEAD and for a range that does not start at the first byte (a
   * resumed download). Throwing refuses the request (public links count downloads here).
   */
  admit?: (whole: boolean) => Promise<void>;
}

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
    if (options.admit && plan.status !== 304 && plan.status !== 416) {
      await options.admit(req.method !== 'HEAD' && !(plan.status === 206 && plan.range.start > 0));
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
    const range = plan.status === 206 ? plan.range : undefined;
    const length = range ? range.end - range.start + 1 : blob.size;
    res.status(plan.status);
    res.setHeader('Content-Type', blob.contentType);
    res.setHeader('Content-Length', String(length));
    if (options.disposition) res.setHeader('Content-Disposition', contentDisposition(options.disposition.type, options.disposition.filename));
    if (range) res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${blob.size}`);
    if (req.method === 'HEAD' || length === 0) {
      res.end();
      return;
    }
    try {
      // The store streams with backpressure; a missing blob rejects before a byte is written,
      // so the error still gets a clean answer.
      // Counted as each chunk goes out, so the counter is complete before the client has the last byte.
      await this.blobs.sendTo(blob.key, res, range, (bytes) => this.metrics.bytesDownloaded(bytes, options.source));
    } catch (error) {
      // The client went away mid-download: the store has closed the blob; nobody is left to answer.
      if (res.destroyed || req.destroyed) return;
      throw error;
    }
  }
}
