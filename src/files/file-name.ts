import { BadRequestException } from '@nestjs/common';
import { FILE_MESSAGES, FILE_NAME_MAX_BYTES } from './files.constants';

// C0 controls (NUL included), DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f/\\]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * A file name is one path segment and only ever a database value: it never reaches a disk path
 * (blob keys are generated), but it is still held to a safe shape so that clients can use it.
 */
export function isValidFileName(name: string): boolean {
  if (name === '' || name === '.' || name === '..') return false;
  if (FORBIDDEN.test(name)) return false;
  // A lone surrogate has no UTF-8 form: it would be stored as U+FFFD, a different name.
  if (LONE_SURROGATE.test(name)) return false;
  return Buffer.byteLength(name, 'utf8') <= FILE_NAME_MAX_BYTES;
}

export function assertValidFileName(name: string): string {
  if (!isValidFileName(name)) throw new BadRequestException({ error: FILE_MESSAGES.badName });
  return name;
}
