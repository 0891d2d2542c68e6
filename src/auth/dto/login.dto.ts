import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { JsonSchemaErrors } from '../../common/http/validation';

export class LoginDto {
  @ApiProperty({ example: 'alice' }) @IsString() @MaxLength(255) username!: string;
  @ApiProperty({ example: 'correct horse battery' }) @IsString() @MaxLength(1024) password!: string;
}

/** S2 `POST /authenticate`: the same body, answered with S2's validation errors. */
@JsonSchemaErrors()
export class AuthenticateDto extends LoginDto {}

export class TokenDto {
  @ApiProperty({ description: 'JWT carrying the session id' }) token!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

export class LoginResponseDto extends TokenDto {
  @ApiProperty({ example: 'Welcome alice' }) message!: string;
}

export class AuthenticateResponseDto {
  @ApiProperty() token!: string;
  @ApiProperty({ format: 'date-time', description: 'expiry, ISO-8601' }) exp!: string;
}

export class SessionView {
  @ApiProperty() id!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ format: 'date-time' }) lastSeenAt!: string;
  @ApiProperty({ type: String, nullable: true }) userAgent!: string | null;
  @ApiProperty({ type: String, nullable: true }) ip!: string | null;
  @ApiProperty({ description: 'the session of this request' }) current!: boolean;
}
