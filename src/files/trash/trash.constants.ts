/** Literal messages of CONTRACT §9 (the trash). */
export const TRASH_MESSAGES = {
  notFound: 'Trash item not found',
} as const;

/** How often each instance purges what has been in the trash longer than TRASH_RETENTION. */
export const TRASH_SWEEP_INTERVAL_MS = 10 * 60_000;
