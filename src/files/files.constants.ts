import { MultipartOptions } from '../common/uploads/multipart-parts';

/** Literal messages of CONTRACT §3 "Files module" (S0, S4). */
export const FILE_MESSAGES = {
  fileNotFound: 'File not found',
  versionNotFound: (version: number) => `Version ${version} of this file not found`,
  noSuchVersion: 'No such version of this file',
  badName: 'File name must be 1-255 bytes of UTF-8 without /, \\, NUL or control characters, and not . or ..',
  tooLarge: (limit: number) => `Upload exceeds the limit of ${limit} bytes`,
  quotaExceeded: 'Storage quota exceeded',
  noFilePart: 'No file part: send multipart/form-data with one or more parts named "file"',
  notMultipart: 'Expected a multipart/form-data body with one or more parts named "file"',
  uploadSuccess: 'Upload Success!',
  shareSuccess: 'File share success',
  fileNotBelongToUserOrigin: 'File not belong to user_origin',
  userDestinationNotExist: 'User_destination not exist',
  fileNotBelongToUser: 'File not belong to user',
  shareWithSelf: 'A file cannot be shared with its owner',
  shareNotFound: 'Share not found',
} as const;

export const FILE_NAME_MAX_BYTES = 255;
export const CONTENT_TYPE_MAX_LENGTH = 255;
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
/** S4's upload form: one or more parts named `file`. */
export const UPLOAD_MULTIPART: MultipartOptions = { fileField: 'file', notMultipart: FILE_MESSAGES.notMultipart };

/** On every answer that serves a file's bytes: they can never run script in the web page's origin (CONTRACT §3). */
export const SERVED_FILE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "sandbox; default-src 'none'",
  // Private bytes: caches may keep them but must revalidate (If-None-Match makes that cheap).
  'Cache-Control': 'private, no-cache',
} as const;

/** How often an upload in flight proves it is alive. */
export const UPLOAD_HEARTBEAT_MS = 30_000;
/** An in-flight row silent for this long belongs to a dead instance (many heartbeats missed). */
export const UPLOAD_STALE_MS = 10 * 60_000;
/** How often each instance looks for rows that dead instances left behind. */
export const UPLOAD_SWEEP_INTERVAL_MS = 5 * 60_000;
