import { randomBytes } from 'node:crypto';
import { BadRequestException, ConflictException, ForbiddenException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { SessionStore } from '../auth/sessions/session-store';
import { ClientInfo } from '../common/http/client-info';
import { ValidationFailedException } from '../common/http/validation';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { PasswordAttempts } from '../rate-limit/password-attempts.service';
import { ChangePasswordDto } from './dto/change-password.dto';
import { CreateUserDto, UserCreatedDto } from './dto/create-user.dto';
import { DeleteUsersDto, UsersDeletedDto } from './dto/delete-users.dto';
import { PasswordHasher } from './passwords/password-hasher';
import { UserDeletionHook, UserDeletionHooks } from './user-deletion-hooks';
import { CredentialUser, SessionUser, User, UserData, UserProfile } from './user.entity';
import { UsersRepository } from './users.repository';
import { isReservedUsername, USER_DATA_MAX_BYTES, USER_MESSAGES, USERNAME_PATTERN } from './users.constants';

export interface NewAccount {
  username: string;
  password: string;
  data?: UserData;
  fname?: string | null;
  lname?: string | null;
  email?: string | null;
  blockLogin?: boolean;
  blockLoginReason?: string | null;
  changePasswordOnFirstLogin?: boolean;
}

const PROFILE_FIELDS = ['fname', 'lname', 'email'] as const;
type Profile = Partial<Record<(typeof PROFILE_FIELDS)[number], string>>;

/** Members of a sign-up or update body beyond the credentials: the user's free-form data. */
function splitBody(body: Record<string, unknown>): { data: UserData; profile: Profile } {
  const { username: _u, password: _p, ...data } = body;
  const profile: Profile = {};
  for (const field of PROFILE_FIELDS) {
    if (typeof body[field] === 'string') profile[field] = body[field];
  }
  if (Buffer.byteLength(JSON.stringify(data)) > USER_DATA_MAX_BYTES) {
    throw new BadRequestException({ error: USER_MESSAGES.dataTooLarge });
  }
  return { data, profile };
}

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  /** Verified against when the user does not exist (checkPassword). */
  private decoyHash: Promise<string> | undefined;

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionStore,
    private readonly deletionHooks: UserDeletionHooks,
    private readonly attempts: PasswordAttempts,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'admin'>,
  ) {}

  /**
   * CONTRACT §11: the start-up admin and the last admin who can sign in are never deleted,
   * demoted or blocked, by anyone (409), so that the server always keeps an administrator.
   */
  /** The admin named by ADMIN_USERNAME, whom nobody may delete, demote or block. */
  isStartupAdmin(user: Pick<User, 'username'>): boolean {
    return user.username === this.config.admin?.username;
  }

  async assertMayLoseAdmin(user: User): Promise<void> {
    if (this.isStartupAdmin(user)) {
      throw new ConflictException({ error: USER_MESSAGES.startupAdminProtected(user.username) });
    }
    if (user.role === 'admin' && !user.blockLogin && (await this.users.countActiveAdmins()) <= 1) {
      throw new ConflictException({ error: USER_MESSAGES.lastAdminProtected(user.username) });
    }
  }

  findById(id: number): Promise<User | null> {
    return this.users.findById(id);
  }

  /** The user as every request's access checks see it. */
  findSessionUser(id: number): Promise<SessionUser | null> {
    return this.users.findSessionUser(id);
  }

  findCredentialUser(id: number): Promise<CredentialUser | null> {
    return this.users.findCredentialUser(id);
  }

  usernamesByIds(ids: readonly number[]): Promise<Map<number, string>> {
    return this.users.usernamesByIds(ids);
  }

  findByUsername(username: string): Promise<User | null> {
    return this.users.findByUsername(username);
  }

  /** Admin listing: a page of users by id, optionally those whose name contains `q` (any case). */
  page(offset: number, limit: number, q?: string): Promise<[UserProfile[], number]> {
    return this.users.page(offset, limit, q);
  }

  /** Admin changes (role, block, quota, forced password change); the caller has applied the admin rules. */
  updateAccount(user: User, changes: Partial<Pick<User, 'role' | 'blockLogin' | 'blockLoginReason' | 'storageQuota' | 'changePasswordOnFirstLogin'>>): Promise<User> {
    return this.users.update(user, changes);
  }

  /**
   * True when `password` is the user's. A missing user is checked against a decoy hash, so that
   * an unknown name takes as long as a wrong password. A hash made with older argon2 parameters
   * is replaced by one with today's once the password has matched it.
   */
  async checkPassword(user: User | null, password: string): Promise<boolean> {
    if (user) {
      const matches = await this.hasher.verify(user.passwordHash, password);
      if (matches && this.hasher.needsRehash(user.passwordHash)) await this.rehash(user, password);
      return matches;
    }
    this.decoyHash ??= this.hasher.hash(randomBytes(16).toString('hex'));
    await this.hasher.verify(await this.decoyHash, password);
    return false;
  }

  /** Best effort: the login succeeds even when the new hash cannot be stored; the next one tries again. */
  private async rehash(user: User, password: string): Promise<void> {
    try {
      await this.users.update(user, { passwordHash: await this.hasher.hash(password) });
    } catch (error) {
      this.logger.warn(`could not store the rehashed password of user ${user.id}: ${String(error)}`);
    }
  }

  /** Modules that keep things of a user's (files, sounds) remove them when the user is deleted. */
  onDeletion(hook: UserDeletionHook): void {
    this.deletionHooks.register(hook);
  }

  /** Creates an account under the public name rules; null when the name is taken. */
  async createAccount(account: NewAccount): Promise<User | null> {
    if (isReservedUsername(account.username)) {
      throw new BadRequestException({ error: USER_MESSAGES.reservedUsername });
    }
    return this.insert(account);
  }

  /** S1 `POST /user`. */
  async signUp(body: Record<string, unknown> & { username: string; password: string }): Promise<User> {
    const { data, profile } = splitBody(body);
    const user = await this.createAccount({ username: body.username, password: body.password, data, ...profile });
    if (!user) throw new ConflictException({ error: USER_MESSAGES.nameTaken });
    return user;
  }

  /** S2 `POST /user/{username}`, by an admin. */
  async createByAdmin(pathUsername: string, dto: CreateUserDto): Promise<UserCreatedDto> {
    if (dto.username !== pathUsername) throw new ValidationFailedException(CreateUserDto, USER_MESSAGES.pathBodyMismatch);
    if (!dto.autoGeneratePassword && dto.password === undefined) {
      throw new ValidationFailedException(CreateUserDto, USER_MESSAGES.passwordRequired);
    }
    if (!USERNAME_PATTERN.test(dto.username) || isReservedUsername(dto.username)) {
      throw new ConflictException({ error: USER_MESSAGES.notAllowed(dto.username) });
    }
    const generated = dto.autoGeneratePassword ? this.hasher.generate() : undefined;
    const password = generated ?? dto.password;
    if (password === undefined || password.length < 8) throw new ValidationFailedException(CreateUserDto, USER_MESSAGES.invalidPassword);
    const user = await this.insert({
      username: dto.username,
      password,
      email: dto.email,
      fname: dto.fname ?? null,
      lname: dto.lname ?? null,
      blockLogin: dto.blockLogin ?? false,
      blockLoginReason: dto.blockLoginReason ?? null,
      changePasswordOnFirstLogin: dto.changePasswordOnFirstLogin ?? false,
    });
    if (!user) throw new ConflictException({ error: USER_MESSAGES.alreadyExists(dto.username) });
    return generated ? { message: USER_MESSAGES.created(dto.username), password: generated } : { message: USER_MESSAGES.created(dto.username) };
  }

  /** The start-up admin: created if absent, never overwritten; may hold a reserved name. */
  async ensureAdmin(username: string, password: string): Promise<void> {
    if (await this.users.findByUsername(username)) return;
    await this.insert({ username, password }, 'admin');
  }

  async get(username: string): Promise<User> {
    const user = await this.users.findByUsername(username);
    if (!user) throw new NotFoundException({ error: USER_MESSAGES.notFound(username) });
    return user;
  }

  /** S1 `PUT /user/{username}`: replaces `data`, and the profile fields that are given. */
  async update(username: string, body: Record<string, unknown>): Promise<User> {
    if (body.password !== undefined) throw new BadRequestException({ error: USER_MESSAGES.cannotChangePassword });
    if (body.username !== undefined && body.username !== username) {
      throw new BadRequestException({ error: USER_MESSAGES.cannotChangeUsername });
    }
    const user = await this.get(username);
    const { data, profile } = splitBody(body);
    return this.users.update(user, { data, ...profile });
  }

  async changePassword(sessionUser: SessionUser, currentSessionId: string | undefined, dto: ChangePasswordDto, client: ClientInfo): Promise<void> {
    const user = await this.get(sessionUser.username);
    // The same counters as the login routes: a stolen session cannot guess the password here either.
    if (!(await this.attempts.verify(user.username, client, () => this.hasher.verify(user.passwordHash, dto.currentPassword)))) {
      throw new ForbiddenException({ error: USER_MESSAGES.wrongCurrentPassword });
    }
    await this.users.update(user, { passwordHash: await this.hasher.hash(dto.newPassword), changePasswordOnFirstLogin: false });
    await this.sessions.deleteAllOfUser(user.id, currentSessionId);
  }

  /** Deletes the user and everything that belongs to them; false when there was no such user. */
  async delete(username: string): Promise<boolean> {
    const user = await this.users.findByUsername(username);
    if (!user) return false;
    await this.assertMayLoseAdmin(user);
    await this.sessions.deleteAllOfUser(user.id);
    await this.deletionHooks.run(user);
    await this.users.delete(user.id);
    return true;
  }

  async deleteOrFail(username: string): Promise<void> {
    if (!(await this.delete(username))) throw new NotFoundException({ message: USER_MESSAGES.deleteNotFound(username) });
  }

  async deleteMany(dto: DeleteUsersDto): Promise<UsersDeletedDto> {
    const deletedUsers: string[] = [];
    const doNotExist: string[] = [];
    // All or nothing: a list that names a protected admin deletes no one.
    for (const username of new Set(dto.usersToDelete)) {
      const user = await this.users.findByUsername(username);
      if (user) await this.assertMayLoseAdmin(user);
    }
    for (const username of new Set(dto.usersToDelete)) {
      (await this.delete(username) ? deletedUsers : doNotExist).push(username);
    }
    return { message: USER_MESSAGES.deletedMany(deletedUsers.length), deletedUsers, doNotExist };
  }

  private async insert(account: NewAccount, role: User['role'] = 'user'): Promise<User | null> {
    return this.users.insert({
      username: account.username,
      passwordHash: await this.hasher.hash(account.password),
      role,
      fname: account.fname ?? null,
      lname: account.lname ?? null,
      email: account.email ?? null,
      blockLogin: account.blockLogin ?? false,
      blockLoginReason: account.blockLoginReason ?? null,
      changePasswordOnFirstLogin: account.changePasswordOnFirstLogin ?? false,
      storageQuota: null,
      data: account.data ?? {},
    });
  }
}
