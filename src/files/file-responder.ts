import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { Request, Response } from 'express';
import { MetricsService } from '../observability/metrics.service';
import { BlobStore } from '../storage/blob-store';
import { FileVersion } from './entities/file-version.entity';
import { StoredFile } from './entities/stored-file.entity';
import { FILE_MESSAGES, SANDBOX_HEADERS } from './files.constants';
import { planResponse } from './range-request';

export type Disposition = 'inline' | 'attachment';

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
 * Writes one file version to the response: the same headers on every path that serves it
 * (ETag = its sha256), conditional requests, a single byte range, HEAD, and the bytes streamed
 * from the blob store with backpressure.
 */
@Injectable()
export class FileResponder {
  constructor(
    private readonly blobs: BlobStore,
    private readonly metrics: MetricsService,
  ) {}

  async send(req: Request, res: Response, file: StoredFile, version: FileVersion, disposition: Disposition): Promise<void> {
    const etag = `"${version.sha256}"`;
    const plan = planResponse(
      { range: header(req, 'range'), ifRange: header(req, 'if-range'), ifNoneMatch: header(req, 'if-none-match'), ifModifiedSince: header(req, 'if-modified-since') },
      { size: version.size, etag, lastModified: version.createdAt },
    );
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', version.createdAt.toUTCString());
    res.setHeader('Accept-Ranges', 'bytes');
    // Private bytes: caches may keep them but must revalidate (If-None-Match makes that cheap).
    res.setHeader('Cache-Control', 'private, no-cache');
    for (const [name, value] of Object.entries(SANDBOX_HEADERS)) res.setHeader(name, value);
    if (plan.status === 304) {
      res.status(304).end();
      return;
    }
    if (plan.status === 416) {
      res.setHeader('Content-Range', `bytes */${version.size}`);
      throw new HttpException({ error: FILE_MESSAGES.rangeNotSatisfiable }, HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
    }
    const range = plan.status === 206 ? plan.range : undefined;
    const length = range ? range.end - range.start + 1 : version.size;
    res.status(plan.status);
    res.setHeader('Content-Type', version.contentType);
    res.setHeader('Content-Length', String(length));
    res.setHeader('Content-Disposition', contentDisposition(disposition, file.name));
    if (range) res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${version.size}`);
    if (req.method === 'HEAD' || length === 0) {
      res.end();
      return;
    }
    try {
      // The store streams with backpressure; a missing blob rejects before a byte is written,
      // so the error still gets a clean answer.
      await this.blobs.sendTo(version.blobKey, res, range);
      this.metrics.bytesDownloaded(length, 'files');
    } catch (error) {
      // The client went away mid-download: the store has closed the blob; nobody is left to answer.
      if (res.destroyed || req.destroyed) return;
      throw error;
    }
  }
}
