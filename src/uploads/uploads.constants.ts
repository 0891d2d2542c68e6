/** Unfinished uploads an account may have at once (README "Limits"), whatever its quota. */
export const UNFINISHED_UPLOADS_PER_USER = 100;

export const UPLOAD_MESSAGES = {
  notFound: 'Upload not found',
  filenameRequired: 'Upload-Metadata must carry a filename (the path of the file to create)',
  busy: 'Another request is writing this upload; try again',
  internal: 'Internal server error',
  tooManyUnfinished: `An account has at most ${UNFINISHED_UPLOADS_PER_USER} unfinished uploads: finish or cancel one first`,
} as const;

/** The tus routes; the last segment of an upload URL is its id. */
export const UPLOADS_PATH = '/uploads';

/**
 * A lock holder renews this often; one that stops (it died, or its release was lost with the
 * connection to Redis or the database) frees the lock after LOCK_TTL_MS. Short, because the
 * client's next request waits that long (README "When things fail").
 */
export const LOCK_RENEW_MS = 1000;
export const LOCK_TTL_MS = 4000;
/** How often a request waiting for an upload's lock looks again, and how long it waits in all (then 423): under 10 s. */
export const LOCK_POLL_MS = 50;
export const LOCK_WAIT_MS = 8000;
/** How often expired uploads are looked for. */
export const EXPIRY_SWEEP_INTERVAL_MS = 60_000;
/** Uploads in progress whose owner, running hash (a few hundred bytes) and reservation expiry one instance keeps in memory. */
export const UPLOADS_KEPT = 1000;
