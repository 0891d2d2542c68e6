import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

/** `PUT /files/{filename}`'s answer. */
export class StoredFileVersionDto {
  @ApiProperty({ description: 'the file id (what /share and /download take)' }) id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'numbered from 1; every upload of a name adds one' }) version!: number;
  @ApiProperty({ description: 'bytes' }) size!: number;
  @ApiProperty() contentType!: string;
  @ApiProperty({ description: 'hex sha256 of the bytes; also the ETag' }) sha256!: string;
}

/** `GET /files/{filename}/id`: the number that S4's `POST /share` and `POST /download` take. */
export class FileIdDto {
  @ApiProperty({ description: 'the file id (what /share and /download take)' }) id!: number;
  @ApiProperty() name!: string;
}

/** One file of `POST /upload`'s answer. */
export class UploadedFileDto {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() version!: number;
  @ApiProperty() size!: number;
  @ApiProperty() contentType!: string;
}

export class UploadResultDto {
  @ApiProperty({ example: 'Upload Success!' }) message!: string;
  @ApiProperty({ type: [UploadedFileDto] }) files!: UploadedFileDto[];
}

export class FileVersionDto {
  @ApiProperty() version!: number;
  @ApiProperty() size!: number;
  @ApiProperty() contentType!: string;
  @ApiProperty() sha256!: string;
  @ApiProperty({ description: 'ISO-8601' }) createdAt!: string;
}

/** `GET /files?include=shared` (S4). */
export class FileListWithSharedDto {
  @ApiProperty({ type: [String] }) your_files!: string[];
  @ApiProperty({ type: [String], description: 'names of the files other users shared with you' }) shared_files!: string[];
}

export class FileVersionQuery {
  @ApiPropertyOptional({ description: 'a version number (default: the newest)', minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'version must be a positive whole number' })
  @Min(1, { message: 'version must be a positive whole number' })
  @Max(2_147_483_647, { message: 'version must be a positive whole number' })
  version?: number;
}

export class ListFilesQuery {
  @ApiPropertyOptional({ enum: ['shared'], description: 'with `shared`, the answer also lists files shared with you (S4 shape)' })
  @IsOptional()
  @IsIn(['shared'], { message: 'include must be "shared"' })
  include?: 'shared';
}
