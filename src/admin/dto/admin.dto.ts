import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { Role, ROLES } from '../../users/user.entity';
import { UserView } from '../../users/user-view';
import { PageLimit, PageOffset } from '../../common/dto/paging';

export class ListUsersQuery {
  @PageOffset()
  offset: number = 0;

  @PageLimit(50, 200)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'part of the username' })
  @IsOptional() @IsString() @MaxLength(20)
  q?: string;
}

export class AdminUserView extends UserView {
  @ApiProperty() fileCount!: number;
  @ApiProperty() bytesStored!: number;
  @ApiProperty({ description: 'the start-up admin (ADMIN_USERNAME): cannot be deleted, demoted or blocked' }) startupAdmin!: boolean;
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
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER)
  storageQuota?: number | null;

  @ApiPropertyOptional() @IsOptional() @IsBoolean() changePasswordOnFirstLogin?: boolean;
}
