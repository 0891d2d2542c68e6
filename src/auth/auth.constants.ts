/** Literal messages of CONTRACT §2 and §3 "Auth module". */
export const AUTH_MESSAGES = {
  accessDenied: 'Access Denied',
  noTokenHeader: 'No token header',
  invalidToken: 'Supplied token is invalid. Please sign in again',
  notLoggedIn: 'Not logged in: send a session token',
  sessionInvalid: 'Session token is invalid or has expired',
  wrongCredentials: 'Wrong username or password',
  userDoesNotExist: 'User does not exist',
  incorrectPassword: 'Incorrect password',
  loginBlocked: (reason: string | null) => (reason ? `Login blocked: ${reason}` : 'Login blocked'),
  passwordChangeRequired: 'Password change required',
  adminRequired: 'Admin role required',
  appPasswordNotAllowed: 'An app password reaches files, WebDAV, uploads, links and sounds only: sign in with your account password for this',
  notYourAccount: 'You may only access your own account',
  sessionNotFound: 'Session not found',
  appPasswordNotFound: 'App password not found',
  basicRequired: 'Send a user name and password (HTTP Basic) or a session token',
  welcome: (username: string) => `Welcome ${username}`,
  loggedOut: (username: string) => `Successfully logged out from ${username}`,
} as const;

export const SESSION_COOKIE = 'session';
/** What WebDAV clients are told to send (CONTRACT §6). */
export const BASIC_CHALLENGE = 'Basic realm="Cloudstash", charset="UTF-8"';
export const X_SESSION_HEADER = 'x-session';
export const TOKEN_HEADER = 'token';
