import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiCookieAuth, ApiExtension, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { ErrorDto } from '../../common/dto/responses.dto';
import { SESSION_COOKIE } from '../auth.constants';
import { SessionRecord } from '../sessions/session-store';
import { SessionUser } from '../../users/user.entity';

/**
 * How a route answers a missing or bad credential (CONTRACT §2): storage routes 403 (S0),
 * account routes 400/401 with S2's body, sound routes 401.
 */
export type AuthFailureStyle = 'storage' | 'account' | 'sound' | 'basic';

export interface AccessRule {
  /** No session needed. With `optionalUser`, a valid session is still read when sent. */
  public?: boolean;
  optionalUser?: boolean;
  /** How a missing or bad credential is answered: the route family's failure style. */
  failure?: AuthFailureStyle;
  admin?: boolean;
  /** The route param naming a user: only that user or an admin passes. */
  selfOrAdmin?: string;
  /** The route param naming a user: only that user passes, admins included. */
  self?: string;
  /** Open to a session whose user must change their password first. */
  duringPasswordChange?: boolean;
  /**
   * Open to an app password. By default an app password reaches the storage, sound and WebDAV
   * routes only, never account routes (credentials, sessions, the account itself, admin): a
   * leaked one can be revoked and cannot make itself a successor (README "App passwords").
   */
  appPasswords?: boolean;
}

export const ACCESS_RULE = 'cloudstash:access';

export const SECURITY_SCHEMES = {
  bearer: 'bearer',
  xSession: 'X-Session',
  token: 'token',
  cookie: SESSION_COOKIE,
  basic: 'basic',
} as const;

const FAILURE_DOCS: Record<AuthFailureStyle, MethodDecorator[]> = {
  storage: [ApiResponse({ status: 403, type: ErrorDto, description: 'not logged in, bad or ended session, or not allowed' })],
  account: [
    ApiResponse({ status: 400, type: ErrorDto, description: 'no token: {error: "Access Denied", message: "No token header"}' }),
    ApiResponse({ status: 401, type: ErrorDto, description: 'bad, expired or ended token' }),
    ApiResponse({ status: 403, type: ErrorDto, description: 'not allowed' }),
  ],
  sound: [
    ApiResponse({ status: 401, type: ErrorDto, description: 'not logged in, bad or ended session' }),
    ApiResponse({ status: 403, type: ErrorDto, description: 'not allowed' }),
  ],
  basic: [ApiResponse({ status: 401, type: ErrorDto, description: 'no credential or a bad one; WWW-Authenticate: Basic realm="Cloudstash"' })],
};

/** Any one of the five credential carriers opens the route; documented as alternatives. */
function credentialDocs(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiBearerAuth(SECURITY_SCHEMES.bearer),
    ApiBasicAuth(SECURITY_SCHEMES.basic),
    ApiSecurity(SECURITY_SCHEMES.xSession),
    ApiSecurity(SECURITY_SCHEMES.token),
    ApiCookieAuth(SECURITY_SCHEMES.cookie),
  );
}

/**
 * Marks an operation as open by design in the OpenAPI document, so that a check can tell it
 * from an operation that forgot its security entry.
 */
export const PUBLIC_EXTENSION = 'x-public';

/** A route anyone may call. */
export function Public(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(ACCESS_RULE, { public: true } satisfies AccessRule), ApiExtension(PUBLIC_EXTENSION, true));
}

/** A public route that also reads the caller's session when one is sent (S1's `GET /`). */
export function OptionalSession(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ACCESS_RULE, { public: true, optionalUser: true } satisfies AccessRule),
    ApiExtension(PUBLIC_EXTENSION, true),
    // The empty requirement is OpenAPI's way to say "credentials optional".
    ApiSecurity({}),
    credentialDocs(),
  );
}

/**
 * A route that needs a session, e.g. `@Authenticated({ failure: 'account', admin: true })`:
 * `failure` names how a missing credential is answered, the rest what the caller must be. The one decorator both enforces (read by the global guard) and
 * documents (security schemes and failure answers), so the two cannot drift apart.
 */
export function Authenticated(rule: Omit<AccessRule, 'public' | 'optionalUser' | 'failure'> & { failure: AuthFailureStyle }): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(ACCESS_RULE, rule satisfies AccessRule), credentialDocs(), ...FAILURE_DOCS[rule.failure]);
}

/** What the guard puts on the request once a credential is verified. */
export interface Principal {
  user: SessionUser;
  /** null when the request came with HTTP Basic (an account or app password), which opens no session. */
  session: SessionRecord | null;
  /** True when the credential was an app password. */
  appPassword?: boolean;
}

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): SessionUser | undefined => {
  return ctx.switchToHttp().getRequest<{ user?: Principal }>().user?.user;
});

export const CurrentSession = createParamDecorator((_: unknown, ctx: ExecutionContext): SessionRecord | null => {
  return ctx.switchToHttp().getRequest<{ user?: Principal }>().user?.session ?? null;
});
