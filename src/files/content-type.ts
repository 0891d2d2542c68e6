import { lookup } from 'mime-types';
import { CONTENT_TYPE_MAX_LENGTH, DEFAULT_CONTENT_TYPE } from './files.constants';

// type/subtype with optional parameters (RFC 9110 §8.3), printable ASCII only.
const MEDIA_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=("[\x20-\x21\x23-\x7e]*"|[A-Za-z0-9!#$&^_.+-]+))*$/;

/**
 * The Content-Type an upload declared, stored as given so that downloads return it. When it says
 * nothing (absent, not a well-formed media type, or application/octet-stream, which many WebDAV
 * clients send for everything), the type comes from the file's name as Apache's would (the
 * mime-types database, as Express uses), else application/octet-stream.
 */
export function storedContentType(declared: string | undefined, fileName: string): string {
  const value = declared?.trim();
  if (value && value.length <= CONTENT_TYPE_MAX_LENGTH && MEDIA_TYPE.test(value) && value.toLowerCase() !== DEFAULT_CONTENT_TYPE) return value;
  return lookup(fileName) || DEFAULT_CONTENT_TYPE;
}
