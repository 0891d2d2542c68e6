import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, MaxLength } from 'class-validator';
import { PASSWORD_MAX, PASSWORD_MIN, USER_MESSAGES } from '../users.constants';

export class ChangePasswordDto {
  @ApiProperty() @IsString() @MaxLength(PASSWORD_MAX) currentPassword!: string;

  @ApiProperty({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX })
  @IsString({ message: USER_MESSAGES.invalidPassword })
  @Length(PASSWORD_MIN, PASSWORD_MAX, { message: USER_MESSAGES.invalidPassword })
  newPassword!: string;
}
