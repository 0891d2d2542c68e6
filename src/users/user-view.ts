import { ApiProperty } from '@nestjs/swagger';
import { Role, UserData, UserProfile } from './user.entity';

/** What the API shows of a user: never the password hash. */
export class UserView {
  @ApiProperty() id!: number;
  @ApiProperty() username!: string;
  @ApiProperty({ type: String, nullable: true }) fname!: string | null;
  @ApiProperty({ type: String, nullable: true }) lname!: string | null;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty() blockLogin!: boolean;
  @ApiProperty({ type: String, nullable: true }) blockLoginReason!: string | null;
  @ApiProperty() changePasswordOnFirstLogin!: boolean;
  @ApiProperty({ enum: ['user', 'admin'] }) role!: Role;
  @ApiProperty({ type: Number, nullable: true, description: 'bytes; null = unlimited' }) storageQuota!: number | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the JSON given at sign-up' }) data!: UserData;
  @ApiProperty() createdAt!: string;
}

export function toUserView(user: UserProfile): UserView {
  return {
    id: user.id,
    username: user.username,
    fname: user.fname,
    lname: user.lname,
    email: user.email,
    blockLogin: user.blockLogin,
    blockLoginReason: user.blockLoginReason,
    changePasswordOnFirstLogin: user.changePasswordOnFirstLogin,
    role: user.role,
    storageQuota: user.storageQuota,
    data: user.data,
    createdAt: user.createdAt.toISOString(),
  };
}
