import { BadRequestException, HttpException, HttpStatus, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { ClientInfo } from '../common/http/client-info';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { FileVersion } from '../files/entities/file-version.entity';
import { StoredFile } from '../files/entities/stored-file.entity';
import { FileTreeService } from '../files/folders/file-tree.service';
import { formatTreePath, parseTreePath } from '../files/folders/tree-path';
import { PasswordAttempts } from '../rate-limit/password-attempts.service';
import { PasswordHasher } from '../users/passwords/password-hasher';
import { SessionUser } from '../users/user.entity';
import { Link } from './link.entity';
import { CreateLinkDto, LinkDto, UpdateLinkDto } from './link.dto';
import { LINK_MESSAGES, LINK_TOKEN_BYTES } from './links.constants';
import { LinkChanges, LinksRepository } from './links.repository';

/** A live link and what it serves. */
export interface OpenedLink {
  link: Link;
  file: StoredFile;
  version: FileVersion;
}

/** Thrown for every way a link can be dead: unknown, revoked, expired, used up, or its file deleted. */
export function linkNotFound(): NotFoundException {
  return new NotFoundException({ error: LINK_MESSAGES.linkNotFound });
}

export class LinkPasswordError extends HttpException {
  constructor(readonly reason: string) {
    super({ error: reason }, HttpStatus.UNAUTHORIZED);
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Public links (CONTRACT §8): an owner hands one file to people without an account. */
@Injectable()
export class LinksService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly links: LinksRepository,
    private readonly tree: FileTreeService,
    private readonly hasher: PasswordHasher,
    private readonly attempts: PasswordAttempts,
  ) {}

  async create(owner: SessionUser, dto: CreateLinkDto): Promise<LinkDto> {
    const path = parseTreePath(dto.path);
    const { file } = await this.tree.resolveFile(owner.id, path, LINK_MESSAGES.fileNotFound);
    const token = randomBytes(LINK_TOKEN_BYTES).toString('base64url');
    const link = await this.links.insert({
      ownerId: owner.id,
      fileId: file.id,
      tokenHash: hashToken(token),
      passwordHash: dto.password === undefined ? null : await this.hasher.hash(dto.password),
      expiresAt: this.expiry(dto.expiresAt),
      maxDownloads: dto.maxDownloads ?? null,
      downloads: 0,
      createdAt: new Date(),
    });
    return { ...toLinkDto(link, formatTreePath(path)), url: `/s/${token}` };
  }

  async list(owner: SessionUser): Promise<LinkDto[]> {
    const links = await this.links.listOf(owner.id);
    return Promise.all(links.map(async (link) => toLinkDto(link, await this.pathOf(link))));
  }

  async update(owner: SessionUser, id: number, dto: UpdateLinkDto): Promise<LinkDto> {
    const link = await this.own(owner, id);
    const changes: LinkChanges = {};
    if (dto.password !== undefined) changes.passwordHash = dto.password === null ? null : await this.hasher.hash(dto.password);
    if (dto.expiresAt !== undefined) changes.expiresAt = this.expiry(dto.expiresAt ?? undefined);
    if (dto.maxDownloads !== undefined) changes.maxDownloads = dto.maxDownloads;
    if (Object.keys(changes).length > 0) await this.links.update(link.id, changes);
    const changed = Object.assign(link, changes);
    return toLinkDto(changed, await this.pathOf(changed));
  }

  async revoke(owner: SessionUser, id: number): Promise<void> {
    if (!(await this.links.delete(owner.id, id))) throw new NotFoundException({ error: LINK_MESSAGES.ownLinkNotFound });
  }

  /**
   * The link behind a token, if it is alive and, when it has a password, the password is given
   * and right (wrong ones count as failed logins, CONTRACT §11). Counting the download is left
   * to `admitDownload`, once the answer is known to carry the bytes.
   */
  async open(token: string, password: string | undefined, client: ClientInfo): Promise<OpenedLink> {
    const opened = await this.peek(token);
    if (opened.link.passwordHash !== null) {
      if (password === undefined) throw new LinkPasswordError(LINK_MESSAGES.passwordRequired);
      const hash = opened.link.passwordHash;
      const right = await this.attempts.verify(`link:${opened.link.id}`, client, () => this.hasher.verify(hash, password));
      if (!right) throw new LinkPasswordError(LINK_MESSAGES.wrongPassword);
    }
    return opened;
  }

  /** The live link and its file, without checking a password: what its page shows. */
  async peek(token: string): Promise<OpenedLink> {
    const link = await this.links.findByTokenHash(hashToken(token));
    if (!link || !isAlive(link, new Date())) throw linkNotFound();
    const live = await this.tree.liveFile(link.ownerId, link.fileId);
    if (!live) throw linkNotFound();
    return { link, file: live.file, version: live.latest };
  }

  /** Counts a whole download; a link that ran out or expired meanwhile is dead. */
  async admitDownload(link: Link, whole: boolean): Promise<void> {
    if (!whole) return;
    if (!(await this.links.countDownload(link.id, new Date()))) throw linkNotFound();
  }

  private async own(owner: SessionUser, id: number): Promise<Link> {
    const link = await this.links.findOwn(owner.id, id);
    if (!link) throw new NotFoundException({ error: LINK_MESSAGES.ownLinkNotFound });
    return link;
  }

  private async pathOf(link: Link): Promise<string | null> {
    const live = await this.tree.liveFile(link.ownerId, link.fileId);
    const path = live ? await this.tree.pathOfFile(live.file) : null;
    return path ? formatTreePath(path) : null;
  }

  /** The expiry asked for, cut to LINK_MAX_TTL from now; none asked: LINK_MAX_TTL from now. */
  private expiry(raw: string | undefined): Date {
    const now = Date.now();
    const latest = now + this.config.linkMaxTtlMs;
    if (raw === undefined) return new Date(latest);
    const asked = /^\d{4}-\d{2}-\d{2}T/.test(raw) ? Date.parse(raw) : NaN;
    if (Number.isNaN(asked)) throw new BadRequestException({ error: LINK_MESSAGES.expiryNotDate });
    if (asked <= now) throw new BadRequestException({ error: LINK_MESSAGES.expiryInPast });
    return new Date(Math.min(asked, latest));
  }
}

function isAlive(link: Link, now: Date): boolean {
  return link.expiresAt > now && (link.maxDownloads === null || link.downloads < link.maxDownloads);
}

function toLinkDto(link: Link, path: string | null): LinkDto {
  return {
    id: link.id,
    path,
    expiresAt: link.expiresAt.toISOString(),
    maxDownloads: link.maxDownloads,
    downloads: link.downloads,
    hasPassword: link.passwordHash !== null,
    createdAt: link.createdAt.toISOString(),
  };
}
