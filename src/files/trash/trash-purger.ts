import { Injectable, Logger } from '@nestjs/common';
import { TreeRemover } from '../folders/tree-remover';
import { TrashItem } from './trash-item.entity';
import { TrashRepository } from './trash.repository';

const BATCH = 50;

/**
 * Deleting trash for good (CONTRACT §9): one item, the oldest when an upload needs room, or
 * everything past TRASH_RETENTION. An item is claimed first, so that of several requests or
 * instances exactly one removes it, and a restore racing a purge either wins or finds it gone.
 */
@Injectable()
export class TrashPurger {
  private readonly logger = new Logger(TrashPurger.name);

  constructor(
    private readonly trash: TrashRepository,
    private readonly remover: TreeRemover,
  ) {}

  /** Whether this call removed it (false: someone else took it first). */
  async purge(item: TrashItem): Promise<boolean> {
    if (!(await this.trash.claim(item.id))) return false;
    await this.remover.remove(item.ownerId, { kind: item.nodeType, id: item.nodeId });
    return true;
  }

  /** Purges the owner's oldest trash until `bytes` are freed or the trash is empty; returns the bytes freed. */
  async makeRoom(ownerId: number, bytes: number): Promise<number> {
    let freed = 0;
    while (freed < bytes) {
      const items = await this.trash.oldestOf(ownerId, BATCH);
      if (items.length === 0) break;
      for (const item of items) {
        if (await this.purge(item)) freed += item.size;
        if (freed >= bytes) break;
      }
    }
    if (freed > 0) this.logger.log(`purged ${freed} bytes of user ${ownerId}'s oldest trash to make room for an upload`);
    return freed;
  }

  /** Everything deleted before `before`; returns how many items went. */
  async purgeDeletedBefore(before: Date): Promise<number> {
    let purged = 0;
    for (;;) {
      const items = await this.trash.deletedBefore(before, BATCH);
      for (const item of items) if (await this.purge(item)) purged++;
      if (items.length < BATCH) break;
    }
    if (purged > 0) this.logger.log(`purged ${purged} trash item(s) past their retention`);
    return purged;
  }
}
