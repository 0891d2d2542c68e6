import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../auth/guards/access.decorators';
import { ErrorDto, MessageDto } from '../common/dto/responses.dto';
import { SessionUser } from '../users/user.entity';
import { IncomingShareDto, OutgoingShareDto, ShareFileDto } from './dto/share.dto';
import { FILE_MESSAGES } from './files.constants';
import { ShareIdPipe } from './share-id.pipe';
import { SharesService } from './shares.service';

/** S4's sharing of a file with another user. */
@ApiTags('shares')
@Controller()
@Authenticated({ failure: 'storage' })
export class SharesController {
  constructor(private readonly shares: SharesService) {}

  @Post('share')
  @HttpCode(200)
  @ApiOkResponse({ type: MessageDto, description: '{message: "File share success"}; sharing again changes nothing' })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'bad ids, or sharing with oneself' })
  @ApiResponse({ status: 404, type: ErrorDto, description: '"File not belong to user_origin" or "User_destination not exist"' })
  async shareFile(@CurrentUser() user: SessionUser, @Body() body: ShareFileDto): Promise<MessageDto> {
    await this.shares.share(user, body);
    return { message: FILE_MESSAGES.shareSuccess };
  }

  @Delete('share')
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'the share ended' })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'not your file, or not shared with that user' })
  unshareFile(@CurrentUser() user: SessionUser, @Body() body: ShareFileDto): Promise<void> {
    return this.shares.unshare(user, body);
  }

  @Delete('shares/incoming/:fileId')
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'you no longer see that file; its owner keeps it' })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'no such file is shared with you' })
  declineShare(@CurrentUser() user: SessionUser, @Param('fileId', ShareIdPipe) fileId: number): Promise<void> {
    return this.shares.decline(user, fileId);
  }

  @Get('shares/incoming')
  @ApiOkResponse({ type: [IncomingShareDto], description: 'files other users shared with you' })
  listIncomingShares(@CurrentUser() user: SessionUser): Promise<IncomingShareDto[]> {
    return this.shares.listIncoming(user);
  }

  @Get('shares/outgoing')
  @ApiOkResponse({ type: [OutgoingShareDto], description: 'your files you shared, and with whom' })
  listOutgoingShares(@CurrentUser() user: SessionUser): Promise<OutgoingShareDto[]> {
    return this.shares.listOutgoing(user);
  }
}
