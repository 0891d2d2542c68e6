import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
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
  @ApiPropertyOptional({ default: SOUND_PAGE.defaultLimit, minimum: 1, maximum: SOUND_PAGE.maxLimit })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(SOUND_PAGE.maxLimit, { message: `limit must be at most ${SOUND_PAGE.maxLimit}` })
  limit: number = SOUND_PAGE.defaultLimit;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'offset must be a whole number' })
  @Min(0, { message: 'offset must be at least 0' })
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
