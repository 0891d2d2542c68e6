import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/guards/access.decorators';
import { ErrorDto } from '../common/dto/responses.dto';
import { DirectoryEntryDto } from './dto/directory-entry.dto';
import { UserDirectoryService } from './user-directory.service';

/**
 * S4's `POST /share` takes a numeric user id, but people know users by name: the web page
 * resolves names here (file ids come from the Files module, `GET /files/{filename}/id`). Usernames are public anyway (sound listings show
 * them), so any logged-in user may look one up.
 */
@ApiTags('web page')
@Controller('directory')
@Authenticated({ failure: 'storage' })
export class UserDirectoryController {
  constructor(private readonly directory: UserDirectoryService) {}

  @Get('users/:username')
  @ApiOkResponse({ type: DirectoryEntryDto })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'no user with that name' })
  lookupUser(@Param('username') username: string): Promise<DirectoryEntryDto> {
    return this.directory.lookupUser(username);
  }
}
