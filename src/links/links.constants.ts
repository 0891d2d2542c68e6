/** Literal messages of CONTRACT §8 (public links). */
export const LINK_MESSAGES = {
  /** Every way a link can be dead answers this, so that none can be told apart. */
  linkNotFound: 'Link not found',
  ownLinkNotFound: 'No such link',
  fileNotFound: 'File not found',
  passwordRequired: 'This link needs a password',
  wrongPassword: 'Wrong password',
  expiryInPast: 'expiresAt must be in the future',
  expiryNotDate: 'expiresAt must be an ISO-8601 date and time',
} as const;

/** 192 random bits: a token nobody guesses (the contract asks for 128 or more). */
export const LINK_TOKEN_BYTES = 24;

/**
 * CONTRACT §8: besides n × the file's size, a link with `maxDownloads: n` may send min(size, this)
 * more bytes, for those in flight (in buffers, on the wire) when a connection dropped, which the
 * client has to fetch again when it resumes.
 */
export const LINK_IN_FLIGHT_ALLOWANCE_BYTES = 8 * 1024 * 1024;
