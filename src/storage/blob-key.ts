import { randomBytes } from 'node:crypto';

const KEY_PATTERN = /^[0-9a-f]{32}$/;

/** 128 random bits as hex: unguessable, never derived from user input, safe as a path segment. */
export function newBlobKey(): string {
  return randomBytes(16).toString('hex');
}

export function isBlobKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** Keys reach a driver from our own database only; anything else is a bug, not a missing blob. */
export function assertBlobKey(key: string): void {
  if (!isBlobKey(key)) throw new Error(`invalid blob key: ${JSON.stringify(key)}`);
}
