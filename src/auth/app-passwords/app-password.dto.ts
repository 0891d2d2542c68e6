import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class CreateAppPasswordDto {
  @ApiProperty({ example: 'rclone on my laptop', description: 'what it is for, 1-255 characters' })
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(255, { message: 'name must be at most 255 characters' })
  name!: string;
}

export class AppPasswordDto {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'ISO-8601' }) createdAt!: string;
  @ApiProperty({ nullable: true, type: String, description: 'ISO-8601; when it last opened a request (to the minute), null if never' }) lastUsedAt!: string | null;
}

/** `POST /auth/app-passwords`: the only answer that ever holds the password. */
export class CreatedAppPasswordDto {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'shown this once; use it as the password of HTTP Basic (WebDAV, rclone, tus, curl -u)' }) password!: string;
  @ApiProperty({ description: 'ISO-8601' }) createdAt!: string;
}
