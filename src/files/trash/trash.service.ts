import { Inject, Injectable, Logger, NotFoundException, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { SessionUser } from '../../users/user.entity';
import { FileTreeService } from '../folders/file-tree.service';
import { TreePathDto } from '../folders/folder.dto';
import { formatTreePath, parseTreePath } from '../folders/tree-path';
import { TrashItem } from './trash-item.entity';
import { TRASH_MESSAGES, TRASH_SWEEP_INTERVAL_MS } from './trash.constants';
import { RestoreTrashDto, TrashItemDto } from './trash.dto';
import { TrashPurger } from './trash-purger';
import { TrashRepository } from './trash.repository';

/** The trash (CONTRACT §9): what deleting put there, restoring it, deleting it for good, and purging it after TRASH_RETENTION. */
@Injectable()
export class TrashService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TrashService.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly trash: TrashRepository,
    private readonly purger: TrashPurger,
    private readonly tree: FileTreeService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.logger.warn(`trash sweep failed: ${String(error)}`));
    }, TRASH_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async list(owner: SessionUser): Promise<TrashItemDto[]> {
    return (await this.trash.listOf(owner.id)).map(toTrashItemDto);
  }

  async restore(owner: SessionUser, id: number, body: RestoreTrashDto): Promise<TreePathDto> {
    const item = await this.own(owner, id);
    const to = parseTreePath(body.to ?? item.path);
    await this.tree.restoreNode(owner.id, item, to);
    return { path: formatTreePath(to) };
  }

  async deleteOne(owner: SessionUser, id: number): Promise<void> {
    if (!(await this.purger.purge(await this.own(owner, id)))) throw new NotFoundException({ error: TRASH_MESSAGES.notFound });
  }

  async empty(owner: SessionUser): Promise<void> {
    for (const item of await this.trash.listOf(owner.id)) await this.purger.purge(item);
  }

  /** Purges what has been in the trash longer than TRASH_RETENTION; every instance runs it, each item goes once. */
  sweep(now = Date.now()): Promise<number> {
    return this.purger.purgeDeletedBefore(new Date(now - this.config.trashRetentionMs));
  }

  private async own(owner: SessionUser, id: number): Promise<TrashItem> {
    const item = await this.trash.findOwn(owner.id, id);
    if (!item) throw new NotFoundException({ error: TRASH_MESSAGES.notFound });
    return item;
  }
}

function toTrashItemDto(item: TrashItem): TrashItemDto {
  return { id: item.id, path: item.path, type: item.nodeType, size: item.size, deletedAt: item.deletedAt.toISOString() };
}
