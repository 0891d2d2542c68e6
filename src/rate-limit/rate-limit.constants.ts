/** Route families that share one budget: an attacker gains nothing by rotating /login, /auth and /authenticate. */
export type RateLimitGroup = 'login' | 'register';

export const RATE_LIMIT_GROUP = 'cloudstash:rate-limit-group';

/** The two named throttlers: every limited request counts against both (CONTRACT §2, issue 5). */
export const THROTTLER_ADDRESS = 'address';
export const THROTTLER_USERNAME = 'username';

export const RATE_LIMITED = 'Too many attempts, try again later';
