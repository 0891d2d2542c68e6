import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { PageLimit, PageOffset } from '../../common/dto/paging';
import { SOUND_PAGE } from '../sounds.constants';

export class SoundOwnerDto {
  @ApiProperty() id!: number;
  @ApiProperty() username!: string;
}

export class SoundDto {
  @ApiProperty() id!: number;
  @ApiProperty() title!: string;
  @ApiProperty({ description: 'the uploaded file name' }) filename!: string;
  @ApiProperty({ example: 'audio/mpeg', description: 'recognised from the bytes' }) contentType!: string;
  @ApiProperty({ description: 'bytes' }) size!: number;
  @ApiProperty({ type: Number, nullable: true }) durationSeconds!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'from the file tags' }) artist!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'from the file tags' }) album!: string | null;
  @ApiProperty({ type: SoundOwnerDto }) owner!: SoundOwnerDto;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ example: '/sounds/1/stream' }) streamUrl!: string;
}

export class SoundPageDto {
  @ApiProperty({ type: [SoundDto] }) items!: SoundDto[];
  @ApiProperty({ description: 'sounds matching the query, over all pages' }) total!: number;
}

export class ListSoundsQueryDto {
  @PageLimit(SOUND_PAGE.defaultLimit, SOUND_PAGE.maxLimit)
  limit: number = SOUND_PAGE.defaultLimit;

  @PageOffset()
  offset: number = 0;

  @ApiPropertyOptional({ description: "only this user's sounds" })
  @IsOptional()
  @IsString({ message: 'owner must be a single username' })
  owner?: string;
}

/** The multipart form of `POST /sounds`, for the OpenAPI document (the body is streamed, not parsed by a pipe). */
export class UploadSoundDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'the audio file' }) file!: unknown;
  @ApiPropertyOptional({ maxLength: 255, description: 'default: the file name' }) title?: string;
}
