import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../auth/guards/access.decorators';
import { ErrorDto } from '../common/dto/responses.dto';
import { User } from '../users/user.entity';
import { DirectoryEntryDto, OwnFileIdDto } from './dto/directory-entry.dto';
import { UserDirectoryService } from './user-directory.service';

/**
 * S4's `POST /share` and `POST /download` take numeric ids, but people know users and files by
 * name: the web page resolves names here. Usernames are public anyway (sound listings show
 * them), so any logged-in user may look one up.
 */
@ApiTags('web page')
@Controller('directory')
@Authenticated('storage')
export class UserDirectoryController {
  constructor(private readonly directory: UserDirectoryService) {}

  @Get('users/:username')
  @ApiOkResponse({ type: DirectoryEntryDto })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'no user with that name' })
  lookupUser(@Param('username') username: string): Promise<DirectoryEntryDto> {
    return this.directory.lookupUser(username);
  }

  @Get('files/:filename')
  @ApiOkResponse({ type: OwnFileIdDto, description: "the id of one of the caller's own files" })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'the caller has no file with that name' })
  lookupOwnFile(@CurrentUser() user: User, @Param('filename') filename: string): Promise<OwnFileIdDto> {
    return this.directory.ownFileId(user, filename);
  }
}
