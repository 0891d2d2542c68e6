import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';

const MAX_DOWNLOADS = 1_000_000_000;

/** `POST /links`. */
export class CreateLinkDto {
  @ApiProperty({ example: 'photos/cat.jpg', description: 'the file: names joined by `/`' })
  @IsString({ message: 'path must be a path' })
  @MaxLength(4096, { message: 'path is too long' })
  path!: string;

  @ApiPropertyOptional({ description: 'asked of whoever opens the link' })
  @IsOptional()
  @IsString({ message: 'password must be a string' })
  @MinLength(1, { message: 'password must not be empty' })
  @MaxLength(1024, { message: 'password is at most 1024 characters' })
  password?: string;

  @ApiPropertyOptional({ description: 'ISO-8601; at most LINK_MAX_TTL ahead (later is cut to it); default LINK_MAX_TTL from now' })
  @IsOptional()
  @IsString({ message: 'expiresAt must be an ISO-8601 date and time' })
  expiresAt?: string;

  @ApiPropertyOptional({ minimum: 1, description: "downloads allowed, counted as bytes sent: n × the file's size, plus min(size, 8 MiB) for bytes lost in flight that a resumed download fetches again; none: no limit" })
  @IsOptional()
  @IsInt({ message: 'maxDownloads must be a whole number' })
  @Min(1, { message: 'maxDownloads must be at least 1' })
  @Max(MAX_DOWNLOADS, { message: `maxDownloads is at most ${MAX_DOWNLOADS}` })
  maxDownloads?: number;
}

/** `PATCH /links/{id}`: what is given changes; null removes a password or limit, or resets the expiry to LINK_MAX_TTL from now. */
export class UpdateLinkDto {
  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString({ message: 'password must be a string' })
  @MinLength(1, { message: 'password must not be empty' })
  @MaxLength(1024, { message: 'password is at most 1024 characters' })
  password?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString({ message: 'expiresAt must be an ISO-8601 date and time' })
  expiresAt?: string | null;

  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 1 })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsInt({ message: 'maxDownloads must be a whole number' })
  @Min(1, { message: 'maxDownloads must be at least 1' })
  @Max(MAX_DOWNLOADS, { message: `maxDownloads is at most ${MAX_DOWNLOADS}` })
  maxDownloads?: number | null;
}

/** A link as its owner sees it. */
export class LinkDto {
  @ApiProperty() id!: number;
  @ApiPropertyOptional({
    example: '/s/3q2-7wE…',
    description: 'only in the answer to POST /links: the token is stored only as a hash, so it cannot be shown again',
  })
  url?: string;
  @ApiProperty({ example: 'photos/cat.jpg', nullable: true, type: String, description: "the file's path now (null while it is in the trash)" }) path!: string | null;
  @ApiProperty({ description: 'ISO-8601' }) expiresAt!: string;
  @ApiProperty({ nullable: true, type: Number }) maxDownloads!: number | null;
  @ApiProperty({ description: "bytes sent, ranges included, divided by the file's size, rounded down" }) downloads!: number;
  @ApiProperty() hasPassword!: boolean;
  @ApiProperty({ description: 'ISO-8601' }) createdAt!: string;
}

/** `POST /s/{token}` (JSON or an HTML form). */
export class LinkPasswordDto {
  @ApiProperty()
  @IsString({ message: 'password must be a string' })
  @MaxLength(1024, { message: 'password is at most 1024 characters' })
  password!: string;
}
