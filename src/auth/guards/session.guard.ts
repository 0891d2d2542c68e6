import { BadRequestException, CanActivate, ExecutionContext, ForbiddenException, HttpException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Request, Response } from 'express';
import { clientOf } from '../../common/http/client-info';
import { AUTH_MESSAGES, BASIC_CHALLENGE } from '../auth.constants';
import { ACCESS_RULE, AccessRule, AuthFailureStyle, Principal } from './access.decorators';
import { BasicVerifier, parseBasic } from './basic-verifier';
import { SessionVerifier } from './session-verifier';
import { extractToken } from './token-extractor';

/** A route without an access decorator is closed: deny by default. */
const DEFAULT_RULE: AccessRule = { failure: 'account' };

/**
 * `blocked`: the credential was a session of a user blocked since; storage and sound routes (the
 * web page's) give the reason in place of "invalid". Account routes keep S2's exact body.
 */
function credentialFailure(style: AuthFailureStyle, missing: boolean, blocked?: string): HttpException {
  switch (style) {
    case 'storage':
      return new ForbiddenException({ error: missing ? AUTH_MESSAGES.notLoggedIn : (blocked ?? AUTH_MESSAGES.sessionInvalid) });
    case 'sound':
      return new UnauthorizedException({ error: missing ? AUTH_MESSAGES.notLoggedIn : (blocked ?? AUTH_MESSAGES.sessionInvalid) });
    case 'basic':
      return new UnauthorizedException({ error: missing ? AUTH_MESSAGES.basicRequired : AUTH_MESSAGES.wrongCredentials });
    case 'account':
      return missing
        ? new BadRequestException({ error: AUTH_MESSAGES.accessDenied, message: AUTH_MESSAGES.noTokenHeader })
        : new UnauthorizedException({ error: AUTH_MESSAGES.accessDenied, message: AUTH_MESSAGES.invalidToken });
  }
}

/** The one global guard: verifies the session (SessionVerifier), then the route's access rule. */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: SessionVerifier,
    private readonly basic: BasicVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule>(ACCESS_RULE, [context.getHandler(), context.getClass()]) ?? DEFAULT_RULE;
    const req = context.switchToHttp().getRequest<Request & { user?: Principal }>();
    if (rule.public && !rule.optionalUser) return true;

    const failure = rule.failure ?? 'account';
    // Clients that know only a name and a password are told how to send them (CONTRACT §6).
    const refuse = (missing: boolean, blocked?: string): HttpException => {
      if (failure === 'basic') context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', BASIC_CHALLENGE);
      return credentialFailure(failure, missing, blocked);
    };
    const token = extractToken(req);
    const basic = token ? null : parseBasic(req.headers.authorization);
    if (!token && !basic) {
      if (rule.public) return true;
      throw refuse(true);
    }
    // A store or database failure is not a bad credential: it propagates (503 or 500).
    const principal = token ? await this.verifier.verify(token) : await this.basic.verify(basic!, clientOf(req));
    if (!principal || 'blocked' in principal) {
      if (rule.public) return true;
      throw refuse(false, principal ? AUTH_MESSAGES.loginBlocked(principal.blocked) : undefined);
    }
    req.user = principal;
    // A public route that reads the session (GET /) still shows nothing of a user who must change their password first.
    if (rule.public) {
      this.requirePasswordChangeDone(rule, principal);
      return true;
    }
    this.authorize(rule, principal, req);
    return true;
  }

  private requirePasswordChangeDone(rule: AccessRule, { user }: Principal): void {
    if (user.changePasswordOnFirstLogin && !rule.duringPasswordChange) {
      throw new ForbiddenException({ error: AUTH_MESSAGES.passwordChangeRequired });
    }
  }

  private authorize(rule: AccessRule, principal: Principal, req: Request): void {
    this.requirePasswordChangeDone(rule, principal);
    const { user } = principal;
    if (principal.appPassword && !(rule.appPasswords ?? rule.failure !== 'account')) {
      throw new ForbiddenException({ error: AUTH_MESSAGES.appPasswordNotAllowed });
    }
    const isAdmin = user.role === 'admin';
    if (rule.admin && !isAdmin) throw new ForbiddenException({ error: AUTH_MESSAGES.adminRequired });
    if (rule.selfOrAdmin && !isAdmin && req.params[rule.selfOrAdmin] !== user.username) {
      throw new ForbiddenException({ error: AUTH_MESSAGES.notYourAccount });
    }
    if (rule.self && req.params[rule.self] !== user.username) {
      throw new ForbiddenException({ error: AUTH_MESSAGES.notYourAccount });
    }
  }
}
