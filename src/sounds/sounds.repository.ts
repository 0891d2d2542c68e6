import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsSelect, In, Repository } from 'typeorm';
import { Sound } from './entities/sound.entity';

export type NewSound = Omit<Sound, 'id' | 'owner' | 'createdAt'>;

/** A sound with its owner's id and name: never the owner's password hash or data. */
const WITH_OWNER_NAME: FindOptionsSelect<Sound> = {
  id: true,
  ownerId: true,
  title: true,
  filename: true,
  contentType: true,
  size: true,
  durationMs: true,
  artist: true,
  album: true,
  blobKey: true,
  sha256: true,
  createdAt: true,
  owner: { id: true, username: true },
};

@Injectable()
export class SoundsRepository {
  constructor(@InjectRepository(Sound) private readonly sounds: Repository<Sound>) {}

  async insert(sound: NewSound): Promise<Sound> {
    return this.sounds.save(this.sounds.create({ ...sound, createdAt: new Date() }));
  }

  findWithOwner(id: number): Promise<Sound | null> {
    return this.sounds.findOne({ select: WITH_OWNER_NAME, where: { id }, relations: { owner: true } });
  }

  /** Newest first; ids break ties between sounds of the same millisecond. */
  page(offset: number, limit: number, ownerId?: number): Promise<[Sound[], number]> {
    return this.sounds.findAndCount({
      select: WITH_OWNER_NAME,
      where: ownerId === undefined ? {} : { ownerId },
      relations: { owner: true },
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: offset,
      take: limit,
    });
  }

  async delete(id: number): Promise<boolean> {
    const result = await this.sounds.delete({ id });
    return (result.affected ?? 0) > 0;
  }

  async blobKeysOfOwner(ownerId: number): Promise<string[]> {
    const rows = await this.sounds.find({ where: { ownerId }, select: { id: true, blobKey: true } });
    return rows.map((row) => row.blobKey);
  }

  /** Bytes of every sound, per owner (owners without sounds are absent): they count toward the quota. */
  async bytesByOwner(ownerIds: readonly number[]): Promise<Map<number, number>> {
    if (ownerIds.length === 0) return new Map();
    const rows = await this.sounds
      .createQueryBuilder('s')
      .select('s.owner_id', 'ownerId')
      .addSelect('SUM(s.size)', 'total')
      .where('s.owner_id IN (:...ownerIds)', { ownerIds })
      .groupBy('s.owner_id')
      .getRawMany<{ ownerId: number | string; total: number | string | null }>();
    return new Map(rows.map((row) => [Number(row.ownerId), Number(row.total ?? 0)]));
  }

  /** Of the keys, those a sound holds. */
  async blobKeysIn(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.sounds.find({ where: { blobKey: In([...keys]) }, select: { id: true, blobKey: true } });
    return new Set(rows.map((row) => row.blobKey));
  }

  async deleteAllOfOwner(ownerId: number): Promise<void> {
    await this.sounds.delete({ ownerId });
  }
}
