import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Query } from '@nestjs/common';
import { ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../auth/guards/access.decorators';
import { ErrorDto } from '../common/dto/responses.dto';
import { User } from '../users/user.entity';
import { UserView } from '../users/user-view';
import { AdminService } from './admin.service';
import { AdminUpdateUserDto, AdminUserPage, ListUsersQuery } from './dto/admin.dto';

@ApiTags('admin')
@Controller('admin/users')
@Authenticated({ failure: 'account', admin: true })
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Get()
  @ApiOkResponse({ type: AdminUserPage })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'bad paging' })
  listUsers(@Query() query: ListUsersQuery): Promise<AdminUserPage> {
    return this.admin.list(query);
  }

  @Patch(':username')
  @ApiOkResponse({ type: UserView })
  @ApiResponse({ status: 400, type: ErrorDto })
  @ApiResponse({ status: 404, type: ErrorDto })
  patchUser(@CurrentUser() admin: User, @Param('username') username: string, @Body() body: AdminUpdateUserDto): Promise<UserView> {
    return this.admin.update(admin, username, body);
  }

  @Delete(':username/sessions')
  @HttpCode(204)
  @ApiResponse({ status: 204, description: "all the user's sessions ended" })
  @ApiResponse({ status: 404, type: ErrorDto })
  endUserSessions(@Param('username') username: string): Promise<void> {
    return this.admin.endSessions(username);
  }
}
