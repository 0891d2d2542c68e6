import { BadRequestException, HttpException, HttpStatus, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { ClientInfo } from '../common/http/client-info';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { FileVersion } from '../files/entities/file-version.entity';
import { StoredFile } from '../files/entities/stored-file.entity';
import { FileTreeService } from '../files/folders/file-tree.service';
import { formatTreePath, parseTreePath } from '../files/folders/tree-path';
import { PasswordAttempts } from '../rate-limit/password-attempts.service';
import { AdmittedBody, ReleaseUnsent } from '../storage/blob-responder';
import { PasswordHasher } from '../users/passwords/password-hasher';
import { SessionUser } from '../users/user.entity';
import { Link } from './link.entity';
import { CreateLinkDto, LinkDto, UpdateLinkDto } from './link.dto';
import { LINK_IN_FLIGHT_ALLOWANCE_BYTES, LINK_MESSAGES, LINK_TOKEN_BYTES } from './links.constants';
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

/** How `maxDownloads` applies to a file of `size` bytes (CONTRACT §8). */
export interface LinkBudget {
  /** Bytes that make one download. An empty file's whole answers cost one each, so they count too. */
  unit: number;
  /** What whole answers (`200`) may bring the bytes sent to: n downloads, none lost on the way. */
  whole: number | null;
  /** What ranges may bring it to: also the allowance for bytes in flight when a connection dropped, which a resumed download fetches again. */
  ranged: number | null;
}

export function linkBudget(maxDownloads: number | null, size: number): LinkBudget {
  const unit = Math.max(size, 1);
  if (maxDownloads === null) return { unit, whole: null, ranged: null };
  // Past 2^53 bytes (8 PiB) the budget is as good as none; JavaScript numbers stay exact below.
  const whole = Math.min(maxDownloads * unit, Number.MAX_SAFE_INTEGER);
  return { unit, whole, ranged: Math.min(whole + Math.min(size, LINK_IN_FLIGHT_ALLOWANCE_BYTES), Number.MAX_SAFE_INTEGER) };
}

/** Public links (CONTRACT §8): an owner hands one file to people without an account. */
@Injectable()
export class LinksService {
  private readonly logger = new Logger(LinksService.name);

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
      bytesServed: 0,
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
   * and right (wrong ones count as failed logins, CONTRACT §11). A link with only the allowance
   * for bytes lost in flight left still answers here, for a download to resume; what an answer
   * may send is left to `admitDownload`, once its length is known.
   */
  async open(token: string, password: string | undefined, client: ClientInfo): Promise<OpenedLink> {
    const opened = await this.find(token);
    const { ranged } = linkBudget(opened.link.maxDownloads, opened.version.size);
    if (ranged !== null && opened.link.bytesServed >= ranged) throw linkNotFound();
    if (opened.link.passwordHash !== null) {
      if (password === undefined) throw new LinkPasswordError(LINK_MESSAGES.passwordRequired);
      const hash = opened.link.passwordHash;
      const right = await this.attempts.verify(`link:${opened.link.id}`, client, () => this.hasher.verify(hash, password));
      if (!right) throw new LinkPasswordError(LINK_MESSAGES.wrongPassword);
    }
    return opened;
  }

  /** The live link and its file, without checking a password: what its page shows, while a whole download still fits. */
  async peek(token: string): Promise<OpenedLink> {
    const opened = await this.find(token);
    const { unit, whole } = linkBudget(opened.link.maxDownloads, opened.version.size);
    if (whole !== null && opened.link.bytesServed + unit > whole) throw linkNotFound();
    return opened;
  }

  /**
   * Reserves what an answer will send from the link's budget of bytes (CONTRACT §8), before a
   * byte of it goes out: whole answers within n downloads, ranges also within the allowance for
   * bytes lost in flight. A link that is out of budget, or expired meanwhile, is dead. Resolves
   * to what gives back the bytes a cut connection never got handed: those were not sent.
   */
  async admitDownload(link: Link, size: number, body: AdmittedBody): Promise<ReleaseUnsent | undefined> {
    // HEAD sends no bytes; an empty file's whole answer costs one (`unit`), so that it counts.
    if (!body.whole && body.bytes === 0) return undefined;
    let { maxDownloads } = link;
    // The owner may change the limit while the answer is planned: then count again with the new one.
    for (let attempt = 0; attempt < 3; attempt++) {
      const { unit, whole, ranged } = linkBudget(maxDownloads, size);
      const bytes = body.whole ? unit : body.bytes;
      if (await this.links.reserveBytes(link.id, { bytes, unit, limit: body.whole ? whole : ranged, maxDownloads, now: new Date() })) {
        return (unsent) => this.releaseBytes(link.id, Math.min(unsent, bytes), unit);
      }
      const current = await this.links.findById(link.id);
      if (!current || current.maxDownloads === maxDownloads) break;
      maxDownloads = current.maxDownloads;
    }
    throw linkNotFound();
  }

  /** Bytes that stay counted when this fails were lost from the link's budget, never sent beyond it: logged, not thrown. */
  private async releaseBytes(id: number, bytes: number, unit: number): Promise<void> {
    try {
      await this.links.releaseBytes(id, bytes, unit);
    } catch (error) {
      this.logger.warn(`link ${id}: ${bytes} bytes reserved but not sent stay counted: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** A link that exists, is not expired, and whose file is not in the trash. */
  private async find(token: string): Promise<OpenedLink> {
    const link = await this.links.findByTokenHash(hashToken(token));
    if (!link || link.expiresAt <= new Date()) throw linkNotFound();
    const live = await this.tree.liveFile(link.ownerId, link.fileId);
    if (!live) throw linkNotFound();
    return { link, file: live.file, version: live.latest };
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
