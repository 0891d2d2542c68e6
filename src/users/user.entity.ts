import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber, INSTANT, jsonText } from '../database/column-types';

export type Role = 'user' | 'admin';
export const ROLES: readonly Role[] = ['user', 'admin'];

export type UserData = Record<string, unknown>;

@Entity('users')
export class User {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 20, unique: true })
  username!: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash!: string;

  @Column({ type: 'varchar', length: 16, default: 'user' })
  role!: Role;

  @Column({ type: 'varchar', length: 255, nullable: true })
  fname!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  lname!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  email!: string | null;

  @Column({ name: 'block_login', type: 'boolean', default: false })
  blockLogin!: boolean;

  @Column({ name: 'block_login_reason', type: 'varchar', length: 255, nullable: true })
  blockLoginReason!: string | null;

  @Column({ name: 'change_password_on_first_login', type: 'boolean', default: false })
  changePasswordOnFirstLogin!: boolean;

  @Column({ name: 'storage_quota', type: 'bigint', nullable: true, transformer: bigintToNumber })
  storageQuota!: number | null;

  @Column({ type: 'text', transformer: jsonText })
  data!: UserData;

  @Column({ name: 'created_at', ...INSTANT })
  createdAt!: Date;

  @Column({ name: 'updated_at', ...INSTANT })
  updatedAt!: Date;
}

/** A user as listings show it: everything but the password hash. */
export type UserProfile = Omit<User, 'passwordHash'>;

/** What a request's access checks need of its user: never the password hash or the data. */
export const SESSION_USER_PROPERTIES = ['id', 'username', 'role', 'blockLogin', 'changePasswordOnFirstLogin', 'storageQuota'] as const;
export type SessionUser = Pick<User, (typeof SESSION_USER_PROPERTIES)[number]>;
/** A session user with the stored hash: what a remembered HTTP Basic password is checked against. */
export type CredentialUser = SessionUser & Pick<User, 'passwordHash'>;
