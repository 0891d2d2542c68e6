import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { StoredFile } from '../files/entities/stored-file.entity';

/** Read-only: the id of one of the caller's own files, by name (the Files module owns the table). */
@Injectable()
export class FileLookupRepository {
  constructor(@InjectRepository(StoredFile) private readonly files: Repository<StoredFile>) {}

  async idOf(ownerId: number, name: string): Promise<number | null> {
    const file = await this.files.findOne({ where: { ownerId, name }, select: { id: true } });
    return file?.id ?? null;
  }
}
