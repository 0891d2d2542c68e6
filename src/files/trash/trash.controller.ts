import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../../auth/guards/access.decorators';
import { ErrorDto } from '../../common/dto/responses.dto';
import { SessionUser } from '../../users/user.entity';
import { TreePathDto } from '../folders/folder.dto';
import { TrashIdPipe } from './trash-id.pipe';
import { RestoreTrashDto, TrashItemDto } from './trash.dto';
import { TrashService } from './trash.service';

/** The trash (CONTRACT §9). Deleting a file or folder anywhere puts it here. */
@ApiTags('trash')
@Controller('trash')
@Authenticated({ failure: 'storage' })
export class TrashController {
  constructor(private readonly trash: TrashService) {}

  @Get()
  @ApiOkResponse({ type: [TrashItemDto], description: 'newest first' })
  listTrash(@CurrentUser() user: SessionUser): Promise<TrashItemDto[]> {
    return this.trash.list(user);
  }

  @Post(':id/restore')
  @HttpCode(200)
  @ApiOkResponse({ type: TreePathDto, description: 'back in the tree, with its versions, shares and links' })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'bad path' })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'no such item in your trash' })
  @ApiResponse({ status: 409, type: ErrorDto, description: 'something is at that path now, or a parent is a file' })
  restoreTrashItem(@CurrentUser() user: SessionUser, @Param('id', TrashIdPipe) id: number, @Body() body: RestoreTrashDto): Promise<TreePathDto> {
    return this.trash.restore(user, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'deleted for good' })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'no such item in your trash' })
  deleteTrashItem(@CurrentUser() user: SessionUser, @Param('id', TrashIdPipe) id: number): Promise<void> {
    return this.trash.deleteOne(user, id);
  }

  @Delete()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the trash is empty' })
  emptyTrash(@CurrentUser() user: SessionUser): Promise<void> {
    return this.trash.empty(user);
  }
}
