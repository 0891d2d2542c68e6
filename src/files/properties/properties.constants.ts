/**
 * Limits on dead properties (WebDAV PROPPATCH), README "Limits". Each property costs the UTF-8
 * bytes of its namespace, name and XML value plus PROPERTY_ROW_BYTES for its row; that cost
 * counts toward the owner's storage quota and `bytesStored` like a file's bytes.
 */
export const DEAD_PROPERTIES_PER_RESOURCE = 100;
export const DEAD_PROPERTY_BYTES_PER_RESOURCE = 64 * 1024;
export const DEAD_PROPERTY_BYTES_PER_USER = 64 * 1024 * 1024;
export const PROPERTY_ROW_BYTES = 100;

export const PROPERTY_MESSAGES = {
  tooManyOnResource: `A file or folder holds at most ${DEAD_PROPERTIES_PER_RESOURCE} properties`,
  tooLargeOnResource: `The properties of a file or folder take at most ${DEAD_PROPERTY_BYTES_PER_RESOURCE} bytes`,
  tooLargeForUser: `An account's properties take at most ${DEAD_PROPERTY_BYTES_PER_USER} bytes`,
} as const;
