import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { JsonSchemaErrors } from '../../common/http/validation';

/** S2 `POST /user/{username}`: an admin creates an account. */
@JsonSchemaErrors()
export class CreateUserDto {
  @ApiProperty() @IsString() username!: string;
  @ApiPropertyOptional({ description: 'required unless autoGeneratePassword is true' })
  @IsOptional() @IsString() @MaxLength(1024) password?: string;
  @ApiProperty() @IsBoolean() autoGeneratePassword!: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() changePasswordOnFirstLogin?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) fname?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) lname?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() blockLogin?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) blockLoginReason?: string;
  @ApiProperty() @IsString() @MaxLength(255) email!: string;
}

export class UserCreatedDto {
  @ApiProperty({ example: 'User bob was created successfully' }) message!: string;
  @ApiPropertyOptional({ description: 'only when generated; shown once' }) password?: string;
}
