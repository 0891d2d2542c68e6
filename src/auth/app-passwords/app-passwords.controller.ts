import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorDto } from '../../common/dto/responses.dto';
import { AppPasswordIdPipe } from './app-password-id.pipe';
import { SessionUser } from '../../users/user.entity';
import { Authenticated, CurrentUser } from '../guards/access.decorators';
import { AppPasswordDto, CreatedAppPasswordDto, CreateAppPasswordDto } from './app-password.dto';
import { AppPasswordsService } from './app-passwords.service';

/**
 * Passwords for sync clients (CONTRACT §2): they open the storage, sound and WebDAV routes with
 * HTTP Basic, never these routes or any other account route (README "App passwords").
 */
@ApiTags('auth')
@Controller('auth/app-passwords')
@Authenticated({ failure: 'account' })
export class AppPasswordsController {
  constructor(private readonly appPasswords: AppPasswordsService) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: CreatedAppPasswordDto, description: 'the password is in this answer only' })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'bad name' })
  createAppPassword(@CurrentUser() user: SessionUser, @Body() body: CreateAppPasswordDto): Promise<CreatedAppPasswordDto> {
    return this.appPasswords.create(user, body.name);
  }

  @Get()
  @ApiOkResponse({ type: [AppPasswordDto], description: 'oldest first; never the passwords' })
  listAppPasswords(@CurrentUser() user: SessionUser): Promise<AppPasswordDto[]> {
    return this.appPasswords.list(user);
  }

  @Delete()
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'all revoked (the web page offers it with a password change)' })
  revokeAllAppPasswords(@CurrentUser() user: SessionUser): Promise<void> {
    return this.appPasswords.revokeAll(user);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'revoked: it opens nothing from now on' })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'no such app password of yours' })
  revokeAppPassword(@CurrentUser() user: SessionUser, @Param('id', AppPasswordIdPipe) id: number): Promise<void> {
    return this.appPasswords.revoke(user, id);
  }
}
