import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { PASSWORD_MAX, PASSWORD_MIN, USER_MESSAGES, USERNAME_PATTERN } from '../users.constants';

/** A new account's name and password, by the rules of S0. */
export class NewCredentialsDto {
  @ApiProperty({ example: 'alice', pattern: USERNAME_PATTERN.source, minLength: 3, maxLength: 20 })
  @IsString({ message: USER_MESSAGES.invalidUsername })
  @Matches(USERNAME_PATTERN, { message: USER_MESSAGES.invalidUsername })
  username!: string;

  @ApiProperty({ example: 'correct horse battery', minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX })
  @IsString({ message: USER_MESSAGES.invalidPassword })
  @Length(PASSWORD_MIN, PASSWORD_MAX, { message: USER_MESSAGES.invalidPassword })
  password!: string;
}
