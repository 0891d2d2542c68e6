import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../../auth/guards/access.decorators';
import { ErrorDto } from '../../common/dto/responses.dto';
import { SessionUser } from '../../users/user.entity';
import { FolderListingDto, TransferDto, TreePathDto } from './folder.dto';
import { FoldersService } from './folders.service';
import { TreePath } from './tree-path';
import { ApiTreePath, TreePathPipe } from './tree-path.pipe';

/** Folders, and moving and copying files and folders (CONTRACT §5). */
@ApiTags('folders')
@Controller()
@Authenticated({ failure: 'storage' })
export class FoldersController {
  constructor(private readonly folders: FoldersService) {}

  @Get('folders')
  @ApiOkResponse({ type: FolderListingDto, description: 'the root folder' })
  listRootFolder(@CurrentUser() user: SessionUser): Promise<FolderListingDto> {
    return this.folders.listFolder(user, []);
  }

  @Get('folders/*path')
  @ApiTreePath()
  @ApiOkResponse({ type: FolderListingDto })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'bad path' })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'no folder at that path' })
  listFolder(@CurrentUser() user: SessionUser, @Param('path', TreePathPipe) path: TreePath): Promise<FolderListingDto> {
    return this.folders.listFolder(user, path);
  }

  @Post('folders/*path')
  @ApiTreePath()
  @HttpCode(201)
  @ApiCreatedResponse({ type: TreePathDto, description: 'created, with any missing parents' })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'bad path' })
  @ApiResponse({ status: 409, type: ErrorDto, description: 'a file or folder is already there, or a parent is a file' })
  createFolder(@CurrentUser() user: SessionUser, @Param('path', TreePathPipe) path: TreePath): Promise<TreePathDto> {
    return this.folders.createFolder(user, path);
  }

  @Delete('folders')
  @HttpCode(204)
  @ApiResponse({ status: 400, type: ErrorDto, description: 'the root folder cannot be deleted' })
  deleteRootFolder(@CurrentUser() user: SessionUser): Promise<void> {
    return this.folders.deleteFolder(user, []);
  }

  @Delete('folders/*path')
  @ApiTreePath()
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'the folder and all it holds are gone' })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'bad path' })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'no folder at that path' })
  deleteFolder(@CurrentUser() user: SessionUser, @Param('path', TreePathPipe) path: TreePath): Promise<void> {
    return this.folders.deleteFolder(user, path);
  }

  @Post('move')
  @HttpCode(200)
  @ApiOkResponse({ type: TreePathDto, description: 'moved: a file keeps its id, versions and shares; a folder all it holds' })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'bad path, or the root' })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'nothing at `from`' })
  @ApiResponse({ status: 409, type: ErrorDto, description: '`to` is taken and overwrite is not true, a folder into itself, or a parent is a file' })
  moveNode(@CurrentUser() user: SessionUser, @Body() body: TransferDto): Promise<TreePathDto> {
    return this.folders.move(user, body);
  }

  @Post('copy')
  @HttpCode(200)
  @ApiOkResponse({ type: TreePathDto, description: 'copied: new files with one version each' })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'bad path, or the root' })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'nothing at `from`' })
  @ApiResponse({ status: 409, type: ErrorDto, description: '`to` is taken and overwrite is not true, a folder into itself, or a parent is a file' })
  @ApiResponse({ status: 507, type: ErrorDto, description: "over the user's storage quota" })
  copyNode(@CurrentUser() user: SessionUser, @Body() body: TransferDto): Promise<TreePathDto> {
    return this.folders.copy(user, body);
  }
}
