export const RATE_LIMITED = 'Too many attempts, try again later';

/** The metric label of each limit (cloudstash_rate_limited_total{group}). */
export type RateLimitGroup = 'login' | 'register';

/** Device cookies (OWASP): `cs_device_<hash of the username>`, one per account this browser signed in to. */
export const DEVICE_COOKIE_PREFIX = 'cs_device_';
export const DEVICE_COOKIE_TTL_MS = 180 * 24 * 3_600_000;
