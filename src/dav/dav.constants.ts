/** A lock's `<D:owner>` is kept up to this many bytes of XML… */
export const DAV_LOCK_OWNER_MAX_BYTES = 4096;
/** …and an account holds at most this many locks at once (README "Limits"). */
export const DAV_LOCKS_PER_USER = 1000;

/** Literal messages of the WebDAV module (CONTRACT §6). */
export const DAV_MESSAGES = {
  badXml: 'The request body is not well-formed XML',
  bodyTooLarge: 'The XML body is too large',
  tooManyElements: 'The XML body has too many elements',
  badDepth: 'Depth must be 0, 1 or infinity',
  infiniteDepth: 'PROPFIND with Depth: infinity is not supported; use Depth 0 or 1',
  badDestination: 'Destination must be a URL under /dav/ on this server',
  otherServer: 'Destination names another server: copy or move within this one',
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
  ownerTooLong: `A lock's owner takes at most ${DAV_LOCK_OWNER_MAX_BYTES} bytes of XML`,
  tooManyLocks: `An account holds at most ${DAV_LOCKS_PER_USER} locks at once`,
  noLockToRefresh: 'A LOCK without a body refreshes a lock: send its token in an If header',
} as const;

/** XML request bodies (PROPFIND, PROPPATCH, LOCK) are read up to this size. */
export const DAV_XML_BODY_LIMIT = 1024 * 1024;
/**
 * …and hold at most this many tags, comments and processing instructions: enough for any
 * client's PROPFIND, LOCK or PROPPATCH (a PROPPATCH sets at most DEAD_PROPERTIES_PER_RESOURCE
 * properties), and parsed in a few milliseconds.
 */
export const DAV_XML_MAX_MARKUP = 4096;
/** Locks last at most this long; `Infinite` gets this much (clients refresh the locks they keep). */
export const DAV_LOCK_MAX_SECONDS = 24 * 3600;
export const DAV_LOCK_DEFAULT_SECONDS = 3600;
export const DAV_PREFIX = '/dav';
