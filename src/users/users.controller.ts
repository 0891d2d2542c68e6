import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiFoundResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { Authenticated, CurrentSession, CurrentUser, OptionalSession, Public } from '../auth/guards/access.decorators';
import { SessionRecord } from '../auth/sessions/session-store';
import { ErrorDto, MessageDto } from '../common/dto/responses.dto';
import { clientOf } from '../common/http/client-info';
import { PasswordAttemptsLimited, SignUpLimited } from '../rate-limit/sign-up-limit.interceptor';
import { ChangePasswordDto } from './dto/change-password.dto';
import { CreateUserDto, UserCreatedDto } from './dto/create-user.dto';
import { NewCredentialsDto } from './dto/credentials.dto';
import { DeleteUsersDto, UsersDeletedDto } from './dto/delete-users.dto';
import { SignUpDto } from './dto/sign-up.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { SessionUser } from './user.entity';
import { toUserView, UserView } from './user-view';
import { USER_MESSAGES } from './users.constants';
import { UsersService } from './users.service';

export const HELLO = { message: 'Hello World' } as const;
export const WEB_APP_PATH = '/app/';

@ApiTags('users')
@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @OptionalSession()
  @ApiOkResponse({ description: '`{message: "Hello World"}` without a session; the user view with one' })
  @ApiFoundResponse({ description: 'a browser (Accept: text/html) is sent to the web page /app/' })
  async home(@CurrentUser() user: SessionUser | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<UserView | typeof HELLO | undefined> {
    if (req.accepts(['json', 'html']) === 'html') {
      res.redirect(302, WEB_APP_PATH);
      return undefined;
    }
    return user ? toUserView(await this.users.get(user.username)) : HELLO;
  }

  @Post('user')
  @Public()
  @SignUpLimited()
  @ApiBody({ type: NewCredentialsDto, description: 'username and password; every other member is kept as `data`' })
  @ApiCreatedResponse({ type: UserView })
  @ApiResponse({ status: 400, type: ErrorDto })
  @ApiResponse({ status: 409, type: ErrorDto, description: 'name taken' })
  async signUp(@Body() body: SignUpDto): Promise<UserView> {
    return toUserView(await this.users.signUp(body));
  }

  @Get('user/:username')
  @Authenticated({ failure: 'account', selfOrAdmin: 'username', appPasswords: true })
  @ApiOkResponse({ type: UserView })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'admin only: no such user' })
  async getUser(@Param('username') username: string): Promise<UserView> {
    return toUserView(await this.users.get(username));
  }

  @Put('user/:username')
  @Authenticated({ failure: 'account', selfOrAdmin: 'username' })
  @ApiBody({ type: UpdateUserDto, description: 'the new `data` (every member but username/password); fname, lname, email also update the profile' })
  @ApiOkResponse({ type: UserView })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'tries to change username or password' })
  @ApiResponse({ status: 404, type: ErrorDto })
  async updateUser(@Param('username') username: string, @Body() body: UpdateUserDto): Promise<UserView> {
    return toUserView(await this.users.update(username, body));
  }

  @Delete('user/:username')
  @Authenticated({ failure: 'account', selfOrAdmin: 'username' })
  @ApiOkResponse({ type: MessageDto })
  @ApiResponse({ status: 404, type: MessageDto, description: '{message: "User <u> does not exist"}' })
  async deleteUser(@Param('username') username: string): Promise<MessageDto> {
    await this.users.deleteOrFail(username);
    return { message: USER_MESSAGES.deleted(username) };
  }

  @Post('user/:username')
  @Authenticated({ failure: 'account', admin: true })
  @ApiCreatedResponse({ type: UserCreatedDto })
  @ApiResponse({ status: 400, description: 'S2 JSON validation error' })
  @ApiResponse({ status: 409, type: ErrorDto, description: 'exists, or name not allowed' })
  createUser(@Param('username') username: string, @Body() body: CreateUserDto): Promise<UserCreatedDto> {
    return this.users.createByAdmin(username, body);
  }

  @Put('user/:username/password')
  @Authenticated({ failure: 'account', self: 'username', duringPasswordChange: true })
  @HttpCode(204)
  @ApiResponse({ status: 204, description: "changed; the user's other sessions end" })
  @ApiResponse({ status: 400, type: ErrorDto })
  @PasswordAttemptsLimited()
  changePassword(@CurrentUser() user: SessionUser, @CurrentSession() session: SessionRecord | null, @Body() body: ChangePasswordDto, @Req() req: Request): Promise<void> {
    return this.users.changePassword(user, session?.id, body, clientOf(req));
  }

  @Delete('users')
  @Authenticated({ failure: 'account', admin: true })
  @ApiOkResponse({ type: UsersDeletedDto })
  @ApiResponse({ status: 400, description: 'S2 JSON validation error' })
  deleteUsers(@Body() body: DeleteUsersDto): Promise<UsersDeletedDto> {
    return this.users.deleteMany(body);
  }
}
