/**
 * Limits no suite reaches by accident: suites sign up many users and try wrong passwords from
 * 127.0.0.1. Only test/e2e/rate-limit.e2e-spec.ts sets tight ones, to test them.
 */
export const GENEROUS_RATE_LIMITS = {
  RATE_LIMIT_LOGIN: '100000/1m',
  RATE_LIMIT_LOGIN_IP: '100000/1m',
  RATE_LIMIT_LOGIN_PAIR: '100000/1m',
  RATE_LIMIT_REGISTER_IP: '100000/1m',
} as const;
