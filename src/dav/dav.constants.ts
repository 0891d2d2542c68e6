/** Literal messages of the WebDAV module (CONTRACT §6). */
export const DAV_MESSAGES = {
  badXml: 'The request body is not well-formed XML',
  bodyTooLarge: 'The XML body is too large',
  badDepth: 'Depth must be 0, 1 or infinity',
  infiniteDepth: 'PROPFIND with Depth: infinity is not supported; use Depth 0 or 1',
  badDestination: 'Destination must be a URL under /dav/ on this server',
  badOverwrite: 'Overwrite must be T or F',
  sameResource: 'Source and destination are the same resource',
  mkcolBody: 'MKCOL takes no body',
  exists: 'Something already exists at that path',
  notFound: 'Not found',
  collectionPut: 'A collection cannot be written with PUT',
  locked: 'The resource is locked; send its lock token in an If header',
  preconditionFailed: 'The If header did not match',
  badLockToken: 'Lock-Token must name a lock on this resource',
  badLockInfo: 'LOCK needs a lockinfo body with a lockscope and a write locktype',
  noLockToRefresh: 'A LOCK without a body refreshes a lock: send its token in an If header',
} as const;

/** XML request bodies (PROPFIND, PROPPATCH, LOCK) are read up to this size. */
export const DAV_XML_BODY_LIMIT = 1024 * 1024;
/** Locks last at most this long; `Infinite` gets this much. */
export const DAV_LOCK_MAX_SECONDS = 7 * 24 * 3600;
export const DAV_LOCK_DEFAULT_SECONDS = 3600;
export const DAV_PREFIX = '/dav';
