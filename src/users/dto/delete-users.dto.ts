import { ApiProperty } from '@nestjs/swagger';
import { IsArray, IsString } from 'class-validator';
import { JsonSchemaErrors } from '../../common/http/validation';

/** S2 `DELETE /users`. */
@JsonSchemaErrors()
export class DeleteUsersDto {
  @ApiProperty({ type: [String] }) @IsArray() @IsString({ each: true }) usersToDelete!: string[];
}

export class UsersDeletedDto {
  @ApiProperty({ example: 'Successfully deleted 2' }) message!: string;
  @ApiProperty({ type: [String] }) deletedUsers!: string[];
  @ApiProperty({ type: [String] }) doNotExist!: string[];
}
