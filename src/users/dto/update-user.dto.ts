import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** S1 update: every member but `username`/`password` becomes the new `data`; profile fields too. */
export class UpdateUserDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) fname?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) lname?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) email?: string;
  [member: string]: unknown;
}
