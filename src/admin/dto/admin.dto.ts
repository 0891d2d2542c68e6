import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { Role, ROLES } from '../../users/user.entity';
import { UserView } from '../../users/user-view';

export class ListUsersQuery {
  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0)
  offset: number = 0;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'part of the username' })
  @IsOptional() @IsString() @MaxLength(20)
  q?: string;
}

export class AdminUserView extends UserView {
  @ApiProperty() fileCount!: number;
  @ApiProperty() bytesStored!: number;
}

export class AdminUserPage {
  @ApiProperty({ type: [AdminUserView] }) items!: AdminUserView[];
  @ApiProperty() total!: number;
}

export class AdminUpdateUserDto {
  @ApiPropertyOptional({ enum: ROLES }) @IsOptional() @IsIn(ROLES) role?: Role;
  @ApiPropertyOptional({ description: 'true ends the user\'s sessions' }) @IsOptional() @IsBoolean() blockLogin?: boolean;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(255)
  blockLoginReason?: string | null;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'bytes; null = unlimited' })
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsInt() @Min(0)
  storageQuota?: number | null;

  @ApiPropertyOptional() @IsOptional() @IsBoolean() changePasswordOnFirstLogin?: boolean;
}
