import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../auth/guards/access.decorators';
import { ErrorDto } from '../common/dto/responses.dto';
import { SessionUser } from '../users/user.entity';
import { CreateLinkDto, LinkDto, UpdateLinkDto } from './link.dto';
import { LinkIdPipe } from './link-id.pipe';
import { LinksService } from './links.service';

/** An owner's public links (CONTRACT §8); what they open is `/s/{token}`. */
@ApiTags('links')
@Controller('links')
@Authenticated({ failure: 'storage' })
export class LinksController {
  constructor(private readonly links: LinksService) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: LinkDto, description: 'with `url`, shown this once' })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'bad path, password, expiry or limit' })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'no file at that path' })
  createLink(@CurrentUser() user: SessionUser, @Body() body: CreateLinkDto): Promise<LinkDto> {
    return this.links.create(user, body);
  }

  @Get()
  @ApiOkResponse({ type: [LinkDto], description: 'newest first, without their tokens' })
  listLinks(@CurrentUser() user: SessionUser): Promise<LinkDto[]> {
    return this.links.list(user);
  }

  @Patch(':id')
  @ApiOkResponse({ type: LinkDto })
  @ApiResponse({ status: 400, type: ErrorDto })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'no such link of yours' })
  updateLink(@CurrentUser() user: SessionUser, @Param('id', LinkIdPipe) id: number, @Body() body: UpdateLinkDto): Promise<LinkDto> {
    return this.links.update(user, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'revoked: the link is dead at once, on every instance' })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'no such link of yours' })
  revokeLink(@CurrentUser() user: SessionUser, @Param('id', LinkIdPipe) id: number): Promise<void> {
    return this.links.revoke(user, id);
  }
}
