import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';

/** Where a folder or file now is: names joined by `/`, no leading slash (`""` is the root). */
export class TreePathDto {
  @ApiProperty({ example: 'photos/2024' }) path!: string;
}

export class FolderEntryDto {
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'ISO-8601' }) createdAt!: string;
}

export class FolderFileDto {
  @ApiProperty({ description: 'the file id (what /share and /download take)' }) id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'the newest version' }) version!: number;
  @ApiProperty({ description: 'bytes of the newest version' }) size!: number;
  @ApiProperty() contentType!: string;
  @ApiProperty({ description: 'hex sha256 of the newest version; also its ETag' }) sha256!: string;
  @ApiProperty({ description: 'ISO-8601: when the newest version was stored' }) updatedAt!: string;
  @ApiProperty({ description: 'shared with at least one user' }) shared!: boolean;
}

/** `GET /folders[/{path}]`. */
export class FolderListingDto {
  @ApiProperty({ example: 'photos' }) path!: string;
  @ApiProperty({ type: [FolderEntryDto], description: 'by name, byte order' }) folders!: FolderEntryDto[];
  @ApiProperty({ type: [FolderFileDto], description: 'by name, byte order' }) files!: FolderFileDto[];
}

/** `POST /move`, `POST /copy`. */
export class TransferDto {
  @ApiProperty({ example: 'photos/cat.jpg', description: 'the file or folder: names joined by `/`' })
  @IsString({ message: 'from must be a path' })
  @MaxLength(4096, { message: 'from is too long' })
  from!: string;

  @ApiProperty({ example: 'archive/cat.jpg', description: 'where it goes (its new path, name included); missing parents are created' })
  @IsString({ message: 'to must be a path' })
  @MaxLength(4096, { message: 'to is too long' })
  to!: string;

  @ApiPropertyOptional({ default: false, description: 'replace what is at `to`' })
  @IsOptional()
  @IsBoolean({ message: 'overwrite must be true or false' })
  overwrite?: boolean;
}
