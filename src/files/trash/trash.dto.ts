import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** One entry of `GET /trash`. */
export class TrashItemDto {
  @ApiProperty({ description: 'what `/trash/{id}` takes' }) id!: number;
  @ApiProperty({ example: 'photos/cat.jpg', description: 'where it was' }) path!: string;
  @ApiProperty({ enum: ['file', 'folder'] }) type!: 'file' | 'folder';
  @ApiProperty({ description: 'bytes of every version it holds: what it counts toward the quota' }) size!: number;
  @ApiProperty({ description: 'ISO-8601' }) deletedAt!: string;
}

/** `POST /trash/{id}/restore`. */
export class RestoreTrashDto {
  @ApiPropertyOptional({ example: 'photos/cat (restored).jpg', description: 'where it goes instead of its old path; missing parents are created' })
  @IsOptional()
  @IsString({ message: 'to must be a path' })
  @MaxLength(4096, { message: 'to is too long' })
  to?: string;
}
