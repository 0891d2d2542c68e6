import { Injectable, NotFoundException } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { SessionUser } from '../../users/user.entity';
import { AUTH_MESSAGES } from '../auth.constants';
import { AppPassword } from './app-password.entity';
import { AppPasswordDto, CreatedAppPasswordDto } from './app-password.dto';
import { AppPasswordsRepository } from './app-passwords.repository';

/** Only this often is `lastUsedAt` written, so that a sync client's requests do not each cost a write. */
const TOUCH_INTERVAL_MS = 60_000;

function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function toDto(row: AppPassword): AppPasswordDto {
  return { id: row.id, name: row.name, createdAt: row.createdAt.toISOString(), lastUsedAt: row.lastUsedAt?.toISOString() ?? null };
}

/**
 * App passwords (CONTRACT §2): 192 random bits as 32 base64url characters, shown once, kept as
 * their SHA-256. A secret that random needs no slow hash: nobody can guess it offline either.
 */
@Injectable()
export class AppPasswordsService {
  constructor(private readonly rows: AppPasswordsRepository) {}

  async create(user: SessionUser, name: string): Promise<CreatedAppPasswordDto> {
    const password = randomBytes(24).toString('base64url');
    const row = await this.rows.insert(user.id, name, secretHash(password));
    return { id: row.id, name: row.name, password, createdAt: row.createdAt.toISOString() };
  }

  async list(user: SessionUser): Promise<AppPasswordDto[]> {
    return (await this.rows.listOfUser(user.id)).map(toDto);
  }

  async revoke(user: SessionUser, id: number): Promise<void> {
    if (!(await this.rows.deleteOfUser(user.id, id))) throw new NotFoundException({ error: AUTH_MESSAGES.appPasswordNotFound });
  }

  async revokeAll(user: SessionUser): Promise<void> {
    await this.rows.deleteAllOfUser(user.id);
  }

  /** The user id an app password belongs to, or null; notes when it was used. */
  async userIdOf(secret: string): Promise<number | null> {
    const row = await this.rows.findBySecretHash(secretHash(secret));
    if (!row) return null;
    const now = new Date();
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) await this.rows.touch(row.id, now);
    return row.userId;
  }
}
