/** Literal messages of CONTRACT §3 "Users module" (S1, S2). */
export const USER_MESSAGES = {
  created: (u: string) => `User ${u} was created successfully`,
  alreadyExists: (u: string) => `User ${u} already exists`,
  notAllowed: (u: string) => `Username ${u} is not allowed`,
  notFound: (u: string) => `User with username ${u} does not exist`,
  deleteNotFound: (u: string) => `User ${u} does not exist`,
  deleted: (u: string) => `User ${u} has been deleted`,
  deletedMany: (n: number) => `Successfully deleted ${n}`,
  nameTaken: 'Username is already taken',
  invalidUsername: 'username must be 3-20 characters, ASCII letters and digits only',
  reservedUsername: 'username is reserved',
  invalidPassword: 'password must be 8 to 1024 characters',
  pathBodyMismatch: 'username in the body must match the username in the path',
  passwordRequired: 'password is required unless autoGeneratePassword is true',
  cannotChangeUsername: 'username cannot be changed',
  cannotChangePassword: 'password cannot be changed here: use PUT /user/{username}/password',
  dataTooLarge: 'additional data must be at most 64 KiB of JSON',
  wrongCurrentPassword: 'Current password is incorrect',
  startupAdminProtected: (u: string) => `${u} is the start-up admin (ADMIN_USERNAME): it cannot be deleted, demoted or blocked`,
  lastAdminProtected: (u: string) => `${u} is the last admin: make another admin first`,
} as const;

export const USERNAME_PATTERN = /^[A-Za-z0-9]{3,20}$/;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 1024;
export const USER_DATA_MAX_BYTES = 64 * 1024;

/** Names nobody may register or be given; only the start-up admin (ADMIN_USERNAME) may hold one. */
export const RESERVED_USERNAMES: ReadonlySet<string> = new Set([
  'admin', 'administrator', 'root', 'system', 'sysadmin', 'superuser', 'api', 'app', 'docs', 'health',
  'metrics', 'login', 'logout', 'register', 'auth', 'authenticate', 'user', 'users', 'files', 'sounds',
  'upload', 'download', 'share', 'shares', 'support', 'help', 'www', 'static', 'public', 'null',
  'undefined', 'me', 'self', 'cloudstash',
]);

export function isReservedUsername(username: string): boolean {
  return RESERVED_USERNAMES.has(username.toLowerCase());
}
