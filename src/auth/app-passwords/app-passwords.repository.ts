import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppPassword } from './app-password.entity';

@Injectable()
export class AppPasswordsRepository {
  constructor(@InjectRepository(AppPassword) private readonly rows: Repository<AppPassword>) {}

  insert(userId: number, name: string, secretHash: string): Promise<AppPassword> {
    return this.rows.save(this.rows.create({ userId, name, secretHash, createdAt: new Date(), lastUsedAt: null }));
  }

  /** Oldest first. */
  listOfUser(userId: number): Promise<AppPassword[]> {
    return this.rows.find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findBySecretHash(secretHash: string): Promise<AppPassword | null> {
    return this.rows.findOneBy({ secretHash });
  }

  async deleteOfUser(userId: number, id: number): Promise<boolean> {
    const result = await this.rows.delete({ userId, id });
    return (result.affected ?? 0) > 0;
  }

  async deleteAllOfUser(userId: number): Promise<void> {
    await this.rows.delete({ userId });
  }

  async touch(id: number, at: Date): Promise<void> {
    await this.rows.update({ id }, { lastUsedAt: at });
  }
}
