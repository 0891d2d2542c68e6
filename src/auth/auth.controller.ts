import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { ErrorDto, MessageDto } from '../common/dto/responses.dto';
import { clientOf } from '../common/http/client-info';
import { DeviceCookie } from '../rate-limit/device-cookie';
import { PasswordAttemptsLimited, SignUpLimited } from '../rate-limit/sign-up-limit.interceptor';
import { NewCredentialsDto } from '../users/dto/credentials.dto';
import { SessionUser } from '../users/user.entity';
import { AUTH_MESSAGES } from './auth.constants';
import { AuthService, IssuedSession } from './auth.service';
import { AuthenticateDto, AuthenticateResponseDto, LoginDto, LoginResponseDto, SessionView, TokenDto } from './dto/login.dto';
import { Authenticated, CurrentSession, CurrentUser, Public } from './guards/access.decorators';
import { SessionCookie } from './session-cookie';
import { SessionRecord } from './sessions/session-store';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly cookie: SessionCookie,
    private readonly devices: DeviceCookie,
  ) {}

  @Post('register')
  @Public()
  @SignUpLimited()
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'registered' })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'invalid username or password, or name taken' })
  register(@Body() body: NewCredentialsDto): Promise<void> {
    return this.auth.register(body);
  }

  @Post('login')
  @Public()
  @PasswordAttemptsLimited()
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto, description: 'session opened; also sets the `session` cookie' })
  @ApiResponse({ status: 403, type: ErrorDto, description: 'wrong name or password, or login blocked' })
  @ApiResponse({ status: 400, type: ErrorDto })
  async login(@Body() body: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<LoginResponseDto> {
    const issued = this.withCookie(res, await this.auth.login(body, clientOf(req)));
    return { token: issued.token, expiresAt: issued.expiresAt.toISOString(), message: AUTH_MESSAGES.welcome(issued.user.username) };
  }

  @Post('logout')
  @Authenticated({ failure: 'storage', duringPasswordChange: true })
  @HttpCode(200)
  @ApiOkResponse({ type: MessageDto, description: 'session ended; the cookie is cleared' })
  async logout(@CurrentUser() user: SessionUser, @CurrentSession() session: SessionRecord | null, @Res({ passthrough: true }) res: Response): Promise<MessageDto> {
    await this.auth.logout(session);
    this.cookie.clear(res);
    return { message: AUTH_MESSAGES.loggedOut(user.username) };
  }

  @Post('auth')
  @Public()
  @PasswordAttemptsLimited()
  @HttpCode(200)
  @ApiOkResponse({ type: TokenDto, description: 'session opened; also sets the `session` cookie' })
  @ApiResponse({ status: 403, type: ErrorDto })
  @ApiResponse({ status: 400, type: ErrorDto })
  async openSession(@Body() body: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<TokenDto> {
    const issued = this.withCookie(res, await this.auth.login(body, clientOf(req)));
    return { token: issued.token, expiresAt: issued.expiresAt.toISOString() };
  }

  @Delete('auth')
  @Authenticated({ failure: 'account', duringPasswordChange: true })
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'session ended' })
  async closeSession(@CurrentSession() session: SessionRecord | null, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.logout(session);
    this.cookie.clear(res);
  }

  @Post('authenticate')
  @Public()
  @PasswordAttemptsLimited()
  @HttpCode(200)
  @ApiOkResponse({ type: AuthenticateResponseDto })
  @ApiResponse({ status: 400, description: 'S2 JSON validation error' })
  @ApiResponse({ status: 403, type: ErrorDto, description: 'Incorrect password' })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'User does not exist' })
  async authenticate(@Body() body: AuthenticateDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<AuthenticateResponseDto> {
    const issued = this.withCookie(res, await this.auth.authenticate(body, clientOf(req)));
    return { token: issued.token, exp: issued.expiresAt.toISOString() };
  }

  @Get('auth/sessions')
  @Authenticated({ failure: 'account' })
  @ApiOkResponse({ type: [SessionView], description: "the caller's open sessions" })
  listSessions(@CurrentUser() user: SessionUser, @CurrentSession() session: SessionRecord | null): Promise<SessionView[]> {
    return this.auth.listSessions(user, session);
  }

  @Delete('auth/sessions/:id')
  @Authenticated({ failure: 'account' })
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'that session ended' })
  @ApiResponse({ status: 404, type: ErrorDto })
  endSession(@CurrentUser() user: SessionUser, @Param('id') id: string): Promise<void> {
    return this.auth.endSession(user, id);
  }

  @Delete('auth/sessions')
  @Authenticated({ failure: 'account' })
  @HttpCode(204)
  @ApiResponse({ status: 204, description: "all the caller's other sessions ended" })
  endOtherSessions(@CurrentUser() user: SessionUser, @CurrentSession() session: SessionRecord | null): Promise<void> {
    return this.auth.endOtherSessions(user, session);
  }

  private withCookie(res: Response, issued: IssuedSession): IssuedSession {
    this.cookie.set(res, issued.token, issued.expiresAt);
    // This browser has now proved it knows the password: exempt it from the per-username lock.
    this.devices.issue(res, issued.user.username);
    return issued;
  }
}
