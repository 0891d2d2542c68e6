import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, In, LessThan, Not, Repository } from 'typeorm';
import { insertRow } from '../database/insert-row';
import { UploadReservation } from './entities/upload-reservation.entity';

export type NewUploadReservation = Pick<UploadReservation, 'userId' | 'blobKey' | 'reservedBytes' | 'instanceId'>;

@Injectable()
export class UploadReservationsRepository {
  constructor(@InjectRepository(UploadReservation) private readonly reservations: Repository<UploadReservation>) {}

  /** `heartbeatAt` in the future keeps the row from looking abandoned until then (a paused resumable upload). */
  async insert(reservation: NewUploadReservation, heartbeatAt = new Date()): Promise<UploadReservation> {
    return insertRow(this.reservations, { ...reservation, createdAt: new Date(), heartbeatAt });
  }

  async touchUntil(id: number, heartbeatAt: Date): Promise<void> {
    await this.reservations.update({ id }, { heartbeatAt });
  }

  async setReservedBytes(id: number, reservedBytes: number): Promise<void> {
    await this.reservations.update({ id }, { reservedBytes });
  }

  async touch(id: number): Promise<void> {
    await this.reservations.update({ id }, { heartbeatAt: new Date() });
  }

  async delete(id: number): Promise<void> {
    await this.reservations.delete({ id });
  }

  /** The reservations of the upload writing `blobKey` (there is one, unless a retried quota check left none). */
  async deleteOfBlob(blobKey: string): Promise<void> {
    await this.reservations.delete({ blobKey });
  }

  async deleteOfBlobs(blobKeys: readonly string[]): Promise<void> {
    for (let i = 0; i < blobKeys.length; i += 500) await this.reservations.delete({ blobKey: In(blobKeys.slice(i, i + 500)) });
  }

  /** Of the keys, those an upload in flight is writing. */
  async blobKeysIn(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.reservations.find({ where: { blobKey: In([...keys]) }, select: { id: true, blobKey: true } });
    return new Set(rows.map((row) => row.blobKey));
  }

  /** Bytes held by the user's other uploads in flight, on every instance. */
  async reservedByUser(userId: number, exceptId: number): Promise<number> {
    const row = await this.reservations
      .createQueryBuilder('r')
      .select('SUM(r.reserved_bytes)', 'total')
      .where({ userId, id: Not(exceptId) })
      .getRawOne<{ total: number | string | null }>();
    return Number(row?.total ?? 0);
  }

  /**
   * Rows silent since before `silentSince` (their instance died or hung), plus, when given, every
   * row of `instanceId`: at start-up those can only be a previous run's of this same instance.
   */
  findAbandoned(silentSince: Date, limit: number, instanceId?: string): Promise<UploadReservation[]> {
    const where: FindOptionsWhere<UploadReservation>[] = [{ heartbeatAt: LessThan(silentSince) }];
    if (instanceId !== undefined) where.push({ instanceId });
    return this.reservations.find({ where, order: { id: 'ASC' }, take: limit });
  }
}
