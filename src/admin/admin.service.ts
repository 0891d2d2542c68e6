import { BadRequestException, Injectable } from '@nestjs/common';
import { SessionStore } from '../auth/sessions/session-store';
import { User } from '../users/user.entity';
import { toUserView, UserView } from '../users/user-view';
import { UsersService } from '../users/users.service';
import { ADMIN_MESSAGES } from './admin.constants';
import { AdminUpdateUserDto, AdminUserPage, ListUsersQuery } from './dto/admin.dto';
import { StorageUsageReader } from './storage-usage';

@Injectable()
export class AdminService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionStore,
    private readonly usage: StorageUsageReader,
  ) {}

  async list(query: ListUsersQuery): Promise<AdminUserPage> {
    const [users, total] = await this.users.page(query.offset, query.limit, query.q);
    const usage = await this.usage.usageOf(users.map((u) => u.id));
    const items = users.map((user) => ({ ...toUserView(user), fileCount: 0, bytesStored: 0, ...usage.get(user.id), startupAdmin: this.users.isStartupAdmin(user) }));
    return { items, total };
  }

  async update(admin: User, username: string, dto: AdminUpdateUserDto): Promise<UserView> {
    const user = await this.users.get(username);
    if (user.id === admin.id && (dto.blockLogin === true || (dto.role !== undefined && dto.role !== 'admin'))) {
      throw new BadRequestException({ error: ADMIN_MESSAGES.notSelf });
    }
    const demoted = dto.role !== undefined && dto.role !== 'admin';
    if (demoted || dto.blockLogin === true) await this.users.assertMayLoseAdmin(user);
    const changes: Partial<User> = {};
    if (dto.role !== undefined) changes.role = dto.role;
    if (dto.blockLogin !== undefined) changes.blockLogin = dto.blockLogin;
    if (dto.blockLoginReason !== undefined) changes.blockLoginReason = dto.blockLoginReason;
    if (dto.storageQuota !== undefined) changes.storageQuota = dto.storageQuota;
    if (dto.changePasswordOnFirstLogin !== undefined) changes.changePasswordOnFirstLogin = dto.changePasswordOnFirstLogin;
    const updated = await this.users.updateAccount(user, changes);
    if (dto.blockLogin === true) await this.sessions.deleteAllOfUser(user.id);
    return toUserView(updated);
  }

  async endSessions(username: string): Promise<void> {
    const user = await this.users.get(username);
    await this.sessions.deleteAllOfUser(user.id);
  }
}
