/** One open session. Tokens carry only its id; ending the session revokes every copy of the token. */
export interface SessionRecord {
  id: string;
  userId: number;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt: Date;
  userAgent: string | null;
  ip: string | null;
}

/**
 * Where sessions live: the database by default, Redis when REDIS_URL is set. Shared by every
 * instance of the server, so an ended session is refused everywhere.
 */
export abstract class SessionStore {
  abstract create(session: SessionRecord): Promise<void>;
  /** The session, or null when it does not exist or has expired. */
  abstract find(id: string): Promise<SessionRecord | null>;
  abstract touch(id: string, at: Date): Promise<void>;
  /** The user's sessions that have not expired, oldest first. */
  abstract listByUser(userId: number): Promise<SessionRecord[]>;
  abstract delete(id: string): Promise<boolean>;
  /** Ends every session of the user except `exceptId`; returns how many ended. */
  abstract deleteAllOfUser(userId: number, exceptId?: string): Promise<number>;
  /** Throws when the store cannot be reached (readiness). */
  abstract ping(): Promise<void>;
}
