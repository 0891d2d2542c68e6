import { BadRequestException, ForbiddenException, HttpException, HttpStatus, Injectable, NotFoundException } from '@nestjs/common';
import { Element } from '@xmldom/xmldom';
import { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { BlobHolders } from '../files/blob-holders';
import { ROOT_FOLDER_ID } from '../files/entities/folder.entity';
import { NodeType } from '../files/entities/resource-property.entity';
import { FilesService } from '../files/files.service';
import { FileTreeService, TreeConflictError, TreeNode } from '../files/folders/file-tree.service';
import { formatTreePath, parseTreePath, TreePath } from '../files/folders/tree-path';
import { PropertyChange, ResourcePropertiesRepository } from '../files/properties/resource-properties.repository';
import { ResourcePropertiesService } from '../files/properties/resource-properties.service';
import { SessionUser } from '../users/user.entity';
import { FOLDER_MESSAGES } from '../files/folders/folders.constants';
import { DAV_MESSAGES, DAV_PREFIX } from './dav.constants';
import { childElements, davChild, DavDocument, DAV_NS, isDav, MultistatusWriter, parseXml, QName, qnameOf, serialize } from './dav-xml';
import { DavLocksService, LOCK_TOKEN_PREFIX, parseTimeout } from './dav-locks.service';
import { IfList, parseIfHeader, submittedTokens } from './if-header';
import { DavLock, LockDepth, LockScope } from './entities/dav-lock.entity';

/** What a WebDAV method answers: the controller writes it out. */
export interface DavAnswer {
  status: number;
  headers?: Record<string, string>;
  /** An XML document (multistatus, prop) or plain text. */
  body?: string;
  /** …or one written piece by piece as it is made (a listing: see `propfind`). */
  stream?: AsyncIterable<string>;
  contentType?: string;
}

/** What every method gets: the caller, the path in their tree, and the request's headers. */
export interface DavRequest {
  user: SessionUser;
  path: TreePath;
  headers: IncomingHttpHeaders;
  /** The host (and port) the client addressed, as Express reads it (behind a trusted proxy, the forwarded one). */
  host?: string;
}

const LIVE_PROPERTIES = [
  'resourcetype',
  'displayname',
  'getcontentlength',
  'getcontenttype',
  'getetag',
  'getlastmodified',
  'creationdate',
  'supportedlock',
  'lockdiscovery',
  'quota-used-bytes',
  'quota-available-bytes',
] as const;
type LiveProperty = (typeof LIVE_PROPERTIES)[number];
/** RFC 4331: quota properties are not part of allprop. */
const NOT_IN_ALLPROP: readonly LiveProperty[] = ['quota-used-bytes', 'quota-available-bytes'];

type PropfindRequest = { kind: 'allprop'; include: QName[] } | { kind: 'propname' } | { kind: 'prop'; names: QName[] };

interface PropContext {
  user: SessionUser;
  locks: DavLock[];
  quota?: { used: number; available: number | null };
  /** The root's modification time (the newest change in the tree), when the root is listed. */
  rootModified?: Date;
  /** Per node (`nodeKey`): its dead properties, by `qnameKey`, in the order they were set. */
  dead: Map<string, Map<string, DeadProperty>>;
}

interface DeadProperty extends QName {
  value: string;
}

function qnameKey({ namespace, name }: QName): string {
  return `${namespace} ${name}`;
}

/**
 * Nodes per slice of a listing (see `listing`). Each may hold 64 KiB of dead properties: 8 of
 * them stay near the young generation's 1 MiB (`src/runtime-flags.ts`), so that a slice's rows
 * and text die young instead of filling the old generation (profiled: README "WebDAV limits").
 */
const LISTING_SLICE = 8;

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 424: 'Failed Dependency', 423: 'Locked' };
const statusLine = (status: number): string => `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ''}`.trim();

/** `/dav/` and the names, each URL-encoded; a folder ends in `/`. */
export function hrefOf(path: TreePath, folder: boolean): string {
  const names = path.map(encodeURIComponent).join('/');
  return `${DAV_PREFIX}/${names}${folder && path.length > 0 ? '/' : ''}`;
}

/** A URL or absolute path under /dav/ (Destination, tagged If lists) as a path in the tree. */
export function pathOfHref(href: string): TreePath | null {
  let pathname: string;
  try {
    pathname = new URL(href, 'http://localhost').pathname;
  } catch {
    return null;
  }
  if (pathname !== DAV_PREFIX && !pathname.startsWith(`${DAV_PREFIX}/`)) return null;
  const names = pathname.slice(DAV_PREFIX.length).split('/').filter((name, i, all) => !(name === '' && (i === 0 || i === all.length - 1)));
  try {
    return parseTreePath(names.map((name) => decodeURIComponent(name)));
  } catch {
    return null;
  }
}

/** True when `href` is an absolute URL naming a host other than `host` (a path names this server). */
function isOnOtherServer(href: string, host: string | undefined): boolean {
  if (host === undefined || !/^[a-z][a-z0-9+.-]*:/i.test(href.trim())) return false;
  try {
    return new URL(href.trim()).host.toLowerCase() !== new URL(`http://${host}`).host.toLowerCase();
  } catch {
    return false;
  }
}

/** A request header that may be sent once, trimmed. */
function header(request: DavRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value.trim() : undefined;
}

function nodeKey(type: NodeType, id: number): string {
  return `${type}:${id}`;
}

function etagOf(node: TreeNode): string | null {
  return node.kind === 'file' ? `"${node.latest.sha256}"` : null;
}

/**
 * WebDAV (RFC 4918 classes 1 and 2, CONTRACT §6) over the caller's tree. The tree, the files and
 * their versions, quotas and limits are the Files module's services, the same as REST's: this
 * class only speaks the protocol (properties, multistatus, locks, If headers).
 */
@Injectable()
export class DavService {
  constructor(
    private readonly tree: FileTreeService,
    private readonly files: FilesService,
    private readonly properties: ResourcePropertiesRepository,
    private readonly propertyRules: ResourcePropertiesService,
    private readonly locks: DavLocksService,
    private readonly holders: BlobHolders,
  ) {}

  options(): DavAnswer {
    return {
      status: 200,
      headers: {
        DAV: '1, 2',
        'MS-Author-Via': 'DAV',
        Allow: 'OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK, UNLOCK',
      },
    };
  }

  /** The node at the request's path, or 404. */
  async resolve(request: DavRequest): Promise<TreeNode> {
    const node = await this.tree.resolve(request.user.id, request.path);
    if (!node) throw new NotFoundException({ error: DAV_MESSAGES.notFound });
    return node;
  }

  // ------------------------------------------------------------------ PROPFIND, PROPPATCH

  async propfind(request: DavRequest, body: string): Promise<DavAnswer> {
    const depth = header(request, 'depth')?.toLowerCase() ?? 'infinity';
    if (depth !== '0' && depth !== '1' && depth !== 'infinity') throw new BadRequestException({ error: DAV_MESSAGES.badDepth });
    const asked = this.parsePropfind(body);
    const node = await this.resolve(request);
    // Infinity (also no Depth at all, as webdav4 sends) is refused on a collection only: a file
    // has nothing below it, so it is Depth 0 there (as Apache mod_dav answers).
    if (depth === 'infinity' && node.kind === 'folder') {
      const doc = new DavDocument('error');
      doc.dav(doc.root, 'propfind-finite-depth');
      return { status: 403, body: doc.toString() };
    }
    const nodes: TreeNode[] = [node];
    if (depth === '1' && node.kind === 'folder') {
      const { folders, files } = await this.tree.listFolder(request.user.id, node.id);
      for (const folder of folders) nodes.push({ kind: 'folder', id: folder.id, folder, path: [...request.path, folder.name] });
      for (const { file, latest } of files) nodes.push({ kind: 'file', file, latest, path: [...request.path, file.name] });
    }
    const context: PropContext = { user: request.user, locks: await this.locks.listActive(request.user.id), dead: new Map() };
    const named = asked.kind === 'prop' ? asked.names : asked.kind === 'allprop' ? asked.include : [];
    const wantsQuota = asked.kind === 'propname' || named.some((n) => n.namespace === DAV_NS && n.name.startsWith('quota-'));
    if (wantsQuota) {
      const used = await this.holders.bytesOfOwner(request.user.id);
      const quota = request.user.storageQuota;
      context.quota = { used, available: quota === null ? null : Math.max(0, quota - used) };
    }
    if (node.kind === 'folder' && node.id === ROOT_FOLDER_ID) context.rootModified = await this.tree.newestChange(request.user.id);
    const wantsDead = asked.kind !== 'prop' || asked.names.some((n) => n.namespace !== DAV_NS || !LIVE_PROPERTIES.includes(n.name as LiveProperty));
    // The first slice is read before the answer starts: a database that is down is then a 503,
    // not a cut listing (only a listing of more than one slice can still be cut by one).
    if (wantsDead) await this.loadDeadProperties(context, nodes.slice(0, LISTING_SLICE));
    return { status: 207, stream: this.listing(nodes, asked, context, wantsDead) };
  }

  /**
   * The multistatus of a PROPFIND, a slice of nodes at a time: each slice's dead properties are
   * read, its responses written, and the event loop gets a turn before the next. A folder of
   * hundreds of files, each with as many properties as it may hold, is tens of MiB: read and
   * written at once, it would hold every other request for seconds (`npm run bench:dav-stall`).
   */
  private async *listing(nodes: TreeNode[], asked: PropfindRequest, context: PropContext, wantsDead: boolean): AsyncGenerator<string> {
    yield MultistatusWriter.OPEN;
    for (let i = 0; i < nodes.length; i += LISTING_SLICE) {
      const slice = nodes.slice(i, i + LISTING_SLICE);
      if (i > 0 && wantsDead) {
        context.dead = new Map();
        await this.loadDeadProperties(context, slice);
      }
      yield slice.map((node) => MultistatusWriter.response((doc) => this.writeResponse(doc, node, asked, context))).join('');
      await new Promise((resolve) => setImmediate(resolve));
    }
    yield MultistatusWriter.CLOSE;
  }

  private parsePropfind(body: string): PropfindRequest {
    if (body.trim() === '') return { kind: 'allprop', include: [] };
    const root = parseXml(body).documentElement as Element;
    if (!isDav(root, 'propfind')) throw new BadRequestException({ error: DAV_MESSAGES.badXml });
    const prop = davChild(root, 'prop');
    if (prop) return { kind: 'prop', names: childElements(prop).map(qnameOf) };
    if (davChild(root, 'propname')) return { kind: 'propname' };
    if (davChild(root, 'allprop')) {
      const include = davChild(root, 'include');
      return { kind: 'allprop', include: include ? childElements(include).map(qnameOf) : [] };
    }
    throw new BadRequestException({ error: DAV_MESSAGES.badXml });
  }

  /** Dead properties of every node listed: one query per type, not one per node. */
  private async loadDeadProperties(context: PropContext, nodes: TreeNode[]): Promise<void> {
    for (const type of ['file', 'folder'] as const) {
      const ids = nodes.flatMap((node) => (node.kind !== type ? [] : [node.kind === 'file' ? node.file.id : node.id]));
      if (ids.length === 0) continue;
      for (const row of await this.properties.listOfMany(type, ids)) {
        const key = nodeKey(type, row.nodeId);
        let ofNode = context.dead.get(key);
        if (!ofNode) context.dead.set(key, (ofNode = new Map<string, DeadProperty>()));
        ofNode.set(qnameKey(row), row);
      }
    }
  }

  /** Fills `doc.root`, a `<D:response>`, with the node's href and asked properties. */
  private writeResponse(doc: DavDocument, node: TreeNode, asked: PropfindRequest, context: PropContext): void {
    const response = doc.root;
    doc.dav(response, 'href', hrefOf(node.path, node.kind === 'folder'));
    const dead = context.dead.get(nodeKey(node.kind, node.kind === 'file' ? node.file.id : node.id)) ?? new Map<string, DeadProperty>();
    const live = LIVE_PROPERTIES.filter((name) => this.hasLive(node, name, context));
    const found: { name: QName; write: (parent: Element) => void }[] = [];
    const missing: QName[] = [];
    const liveWriter = (name: LiveProperty) => (parent: Element) => this.writeLive(doc, parent, node, name, context);
    const deadWriter = (xml: string) => (parent: Element) => doc.raw(parent, xml);

    if (asked.kind === 'propname') {
      const prop = this.propstat(doc, response, 200);
      for (const name of live) doc.element(prop, { namespace: DAV_NS, name });
      for (const row of dead.values()) doc.element(prop, row);
      return;
    }
    const names =
      asked.kind === 'prop'
        ? asked.names
        : [...live.filter((name) => !NOT_IN_ALLPROP.includes(name) || asked.include.some((n) => n.namespace === DAV_NS && n.name === name)).map((name) => ({ namespace: DAV_NS, name })), ...dead.values()];
    for (const name of names) {
      const liveName = name.namespace === DAV_NS && (LIVE_PROPERTIES as readonly string[]).includes(name.name) ? (name.name as LiveProperty) : null;
      if (liveName && live.includes(liveName)) {
        found.push({ name, write: liveWriter(liveName) });
        continue;
      }
      const row = dead.get(qnameKey(name));
      if (row) found.push({ name, write: deadWriter(row.value) });
      else missing.push(name);
    }
    if (found.length > 0 || missing.length === 0) {
      const prop = this.propstat(doc, response, 200);
      for (const { write } of found) write(prop);
    }
    if (missing.length > 0) {
      const prop = this.propstat(doc, response, 404);
      for (const name of missing) doc.element(prop, name);
    }
  }

  /** `<D:propstat><D:prop/>…<D:status/></D:propstat>`: returns the prop element to fill. */
  private propstat(doc: DavDocument, response: Element, status: number): Element {
    const propstat = doc.dav(response, 'propstat');
    const prop = doc.dav(propstat, 'prop');
    doc.dav(propstat, 'status', statusLine(status));
    return prop;
  }

  private hasLive(node: TreeNode, name: LiveProperty, context: PropContext): boolean {
    switch (name) {
      case 'getcontentlength':
      case 'getcontenttype':
      case 'getetag':
        return node.kind === 'file';
      case 'quota-used-bytes':
        return node.kind === 'folder' && context.quota !== undefined;
      case 'quota-available-bytes':
        return node.kind === 'folder' && context.quota !== undefined && context.quota.available !== null;
      default:
        return true;
    }
  }

  private writeLive(doc: DavDocument, parent: Element, node: TreeNode, name: LiveProperty, context: PropContext): void {
    const created = node.kind === 'file' ? node.file.createdAt : (node.folder?.createdAt ?? new Date(0));
    const modified = node.kind === 'file' ? node.latest.createdAt : node.folder ? created : (context.rootModified ?? created);
    switch (name) {
      case 'resourcetype': {
        const element = doc.dav(parent, 'resourcetype');
        if (node.kind === 'folder') doc.dav(element, 'collection');
        return;
      }
      case 'displayname':
        doc.dav(parent, 'displayname', node.path[node.path.length - 1] ?? '');
        return;
      case 'getcontentlength':
        doc.dav(parent, 'getcontentlength', String(node.kind === 'file' ? node.latest.size : 0));
        return;
      case 'getcontenttype':
        doc.dav(parent, 'getcontenttype', node.kind === 'file' ? node.latest.contentType : '');
        return;
      case 'getetag':
        doc.dav(parent, 'getetag', etagOf(node) ?? '');
        return;
      case 'getlastmodified':
        doc.dav(parent, 'getlastmodified', modified.toUTCString());
        return;
      case 'creationdate':
        doc.dav(parent, 'creationdate', created.toISOString());
        return;
      case 'supportedlock': {
        const element = doc.dav(parent, 'supportedlock');
        for (const scope of ['exclusive', 'shared']) {
          const entry = doc.dav(element, 'lockentry');
          doc.dav(doc.dav(entry, 'lockscope'), scope);
          doc.dav(doc.dav(entry, 'locktype'), 'write');
        }
        return;
      }
      case 'lockdiscovery': {
        const element = doc.dav(parent, 'lockdiscovery');
        for (const lock of this.locks.covering(context.locks, node.path)) this.writeActiveLock(doc, element, lock);
        return;
      }
      case 'quota-used-bytes':
        doc.dav(parent, 'quota-used-bytes', String(context.quota?.used ?? 0));
        return;
      case 'quota-available-bytes':
        doc.dav(parent, 'quota-available-bytes', String(context.quota?.available ?? 0));
        return;
    }
  }

  private writeActiveLock(doc: DavDocument, parent: Element, lock: DavLock): void {
    const active = doc.dav(parent, 'activelock');
    doc.dav(doc.dav(active, 'locktype'), 'write');
    doc.dav(doc.dav(active, 'lockscope'), lock.scope);
    doc.dav(active, 'depth', lock.depth === 'infinity' ? 'infinity' : '0');
    if (lock.ownerXml) doc.raw(active, lock.ownerXml);
    doc.dav(active, 'timeout', `Second-${Math.max(0, Math.round((lock.expiresAt.getTime() - Date.now()) / 1000))}`);
    doc.dav(doc.dav(active, 'locktoken'), 'href', LOCK_TOKEN_PREFIX + lock.token);
    const path = lock.path === '' ? [] : lock.path.split('/');
    doc.dav(doc.dav(active, 'lockroot'), 'href', hrefOf(path, false));
  }

  async proppatch(request: DavRequest, body: string): Promise<DavAnswer> {
    const node = await this.resolve(request);
    await this.assertWritable(request, [{ path: request.path, deep: false }], node);
    const root = parseXml(body).documentElement as Element;
    if (!isDav(root, 'propertyupdate')) throw new BadRequestException({ error: DAV_MESSAGES.badXml });
    const changes: PropertyChange[] = [];
    const results: { name: QName; status: number }[] = [];
    for (const action of childElements(root)) {
      const isSet = isDav(action, 'set');
      if (!isSet && !isDav(action, 'remove')) continue;
      const prop = davChild(action, 'prop');
      for (const element of prop ? childElements(prop) : []) {
        const name = qnameOf(element);
        // Live properties are the server's: they cannot be set or removed (RFC 4918 §9.2).
        const protectedLive = name.namespace === DAV_NS && (LIVE_PROPERTIES as readonly string[]).includes(name.name);
        results.push({ name, status: protectedLive ? 403 : 200 });
        if (protectedLive) continue;
        changes.push({ ...name, value: isSet ? serialize(element) : null });
      }
    }
    const failed = results.some((r) => r.status !== 200);
    if (!failed) {
      const type: NodeType = node.kind;
      await this.propertyRules.apply(request.user, type, node.kind === 'file' ? node.file.id : node.id, changes);
    }
    const multistatus = new MultistatusWriter();
    multistatus.add((doc) => {
      doc.dav(doc.root, 'href', hrefOf(request.path, node.kind === 'folder'));
      for (const status of [200, 403, 424]) {
        const names = results.filter((r) => (failed && r.status === 200 ? 424 : r.status) === status).map((r) => r.name);
        if (names.length === 0) continue;
        const prop = this.propstat(doc, doc.root, status);
        for (const name of names) doc.element(prop, name);
      }
    });
    return { status: 207, body: multistatus.toString() };
  }

  // ------------------------------------------------------------------ MKCOL, PUT, DELETE

  async mkcol(request: DavRequest, hasBody: boolean): Promise<DavAnswer> {
    if (hasBody) throw new HttpException({ error: DAV_MESSAGES.mkcolBody }, HttpStatus.UNSUPPORTED_MEDIA_TYPE);
    if (request.path.length === 0 || (await this.tree.resolve(request.user.id, request.path))) {
      throw new HttpException({ error: DAV_MESSAGES.exists }, HttpStatus.METHOD_NOT_ALLOWED);
    }
    await this.assertWritable(request, [{ path: request.path, deep: false }], null);
    await this.conflictsAsDav(() => this.tree.createFolder(request.user.id, request.path, { createParents: false }));
    return { status: 201 };
  }

  async put(request: DavRequest, stream: Readable, size: number | undefined, trailingSlash: boolean): Promise<DavAnswer> {
    if (request.path.length === 0 || trailingSlash) throw new HttpException({ error: DAV_MESSAGES.collectionPut }, HttpStatus.METHOD_NOT_ALLOWED);
    // The parent must exist (409), and what is at the path decides 405, 201 or 204: resolved once.
    const folderId = await this.tree.prepareParent(request.user.id, request.path, { createParents: false });
    const existing = await this.tree.childOf(request.user.id, folderId, request.path);
    if (existing?.kind === 'folder') throw new HttpException({ error: DAV_MESSAGES.collectionPut }, HttpStatus.METHOD_NOT_ALLOWED);
    await this.assertWritable(request, [{ path: request.path, deep: false }], existing);
    const place = { folderId, name: request.path[request.path.length - 1] };
    const stored = await this.conflictsAsDav(() => this.files.putFileIn(request.user, place, { stream, contentType: request.headers['content-type'], size }));
    return { status: existing ? 204 : 201, headers: { ETag: `"${stored.sha256}"` } };
  }

  async delete(request: DavRequest): Promise<DavAnswer> {
    const node = await this.resolve(request);
    if (request.path.length === 0) throw new ForbiddenException({ error: FOLDER_MESSAGES.rootIsNotDeletable });
    await this.assertWritable(request, [{ path: request.path, deep: true }], node);
    await this.tree.trashNode(request.user.id, node);
    await this.locks.removeAtOrBelow(request.user.id, request.path);
    return { status: 204 };
  }

  // ------------------------------------------------------------------ COPY, MOVE

  async copyOrMove(request: DavRequest, move: boolean): Promise<DavAnswer> {
    const destination = request.headers.destination;
    if (typeof destination === 'string' && isOnOtherServer(destination, request.host)) {
      // RFC 4918 §9.8.4: a destination on another server is 502 (Bad Gateway).
      throw new HttpException({ error: DAV_MESSAGES.otherServer }, HttpStatus.BAD_GATEWAY);
    }
    const to = typeof destination === 'string' ? pathOfHref(destination) : null;
    if (!to) throw new BadRequestException({ error: DAV_MESSAGES.badDestination });
    const overwriteHeader = (header(request, 'overwrite') ?? 'T').toUpperCase();
    if (overwriteHeader !== 'T' && overwriteHeader !== 'F') throw new BadRequestException({ error: DAV_MESSAGES.badOverwrite });
    const depth = header(request, 'depth')?.toLowerCase() ?? 'infinity';
    const source = await this.resolve(request);
    if (source.kind === 'folder' && (move ? depth !== 'infinity' : depth !== 'infinity' && depth !== '0')) {
      throw new BadRequestException({ error: DAV_MESSAGES.badDepth });
    }
    if (formatTreePath(to) === formatTreePath(request.path)) throw new ForbiddenException({ error: DAV_MESSAGES.sameResource });
    const targets = [{ path: to, deep: true }];
    if (move) targets.push({ path: request.path, deep: true });
    await this.assertWritable(request, targets, source);
    const options = { overwrite: overwriteHeader === 'T', createParents: false };
    const { created } = await this.conflictsAsDav(() =>
      move ? this.tree.move(request.user.id, request.path, to, options) : this.tree.copy(request.user, request.path, to, { ...options, shallow: depth === '0' }),
    );
    if (move) await this.locks.removeAtOrBelow(request.user.id, request.path);
    return { status: created ? 201 : 204 };
  }

  // ------------------------------------------------------------------ LOCK, UNLOCK

  async lock(request: DavRequest, body: string): Promise<DavAnswer> {
    const timeout = parseTimeout(header(request, 'timeout'));
    if (body.trim() === '') {
      const tokens = submittedTokens(this.ifLists(request) ?? []);
      const lock = await this.locks.refresh(request.user.id, request.path, tokens, timeout);
      if (!lock) throw new HttpException({ error: DAV_MESSAGES.noLockToRefresh }, HttpStatus.PRECONDITION_FAILED);
      return { status: 200, body: this.lockBody(lock) };
    }
    const root = parseXml(body).documentElement as Element;
    const scopeElement = isDav(root, 'lockinfo') ? davChild(root, 'lockscope') : null;
    const scopeChild = scopeElement ? childElements(scopeElement)[0] : undefined;
    const scope: LockScope | null = scopeChild && isDav(scopeChild, 'exclusive') ? 'exclusive' : scopeChild && isDav(scopeChild, 'shared') ? 'shared' : null;
    const locktype = davChild(root, 'locktype');
    if (!scope || !locktype || !childElements(locktype).some((e) => isDav(e, 'write'))) throw new BadRequestException({ error: DAV_MESSAGES.badLockInfo });
    const depthHeader = header(request, 'depth')?.toLowerCase() ?? 'infinity';
    if (depthHeader !== '0' && depthHeader !== 'infinity') throw new BadRequestException({ error: DAV_MESSAGES.badDepth });
    const owner = davChild(root, 'owner');

    const node = await this.tree.resolve(request.user.id, request.path);
    await this.assertWritable(request, [{ path: request.path, deep: false }], node, false);
    const depth: LockDepth = node?.kind === 'folder' ? (depthHeader) : '0';
    const lock = await this.locks.lock(request.user.id, request.path, { scope, depth, ownerXml: owner ? serialize(owner) : null, timeoutSeconds: timeout });
    let status = 200;
    if (!node) {
      // A lock on an unmapped URL makes an empty file there (RFC 4918 §7.3).
      try {
        await this.conflictsAsDav(() => this.files.putFile(request.user, request.path, { stream: Readable.from([]), contentType: undefined, size: 0 }, { createParents: false }));
      } catch (error) {
        await this.locks.unlock(request.user.id, request.path, LOCK_TOKEN_PREFIX + lock.token);
        throw error;
      }
      status = 201;
    }
    return { status, headers: { 'Lock-Token': `<${LOCK_TOKEN_PREFIX}${lock.token}>` }, body: this.lockBody(lock) };
  }

  private lockBody(lock: DavLock): string {
    const doc = new DavDocument('prop');
    this.writeActiveLock(doc, doc.dav(doc.root, 'lockdiscovery'), lock);
    return doc.toString();
  }

  async unlock(request: DavRequest): Promise<DavAnswer> {
    const header = request.headers['lock-token'];
    const token = typeof header === 'string' ? /^\s*<([^>]+)>\s*$/.exec(header)?.[1] : undefined;
    await this.resolve(request);
    if (!token || !(await this.locks.unlock(request.user.id, request.path, token))) {
      throw new ConflictWithBody(DAV_MESSAGES.badLockToken);
    }
    return { status: 204 };
  }

  // ------------------------------------------------------------------ If headers and locks

  private ifLists(request: DavRequest): IfList[] | null {
    const header = request.headers.if;
    return typeof header === 'string' && header.trim() !== '' ? parseIfHeader(header) : null;
  }

  /**
   * The If header must hold (else 412), then every lock on what the request changes must have
   * its token submitted (else 423). `node` is the request's resource as it is now (for ETags).
   */
  private async assertWritable(request: DavRequest, targets: { path: TreePath; deep: boolean }[], node: TreeNode | null, checkLocks = true): Promise<void> {
    const lists = this.ifLists(request);
    const locks = await this.locks.listActive(request.user.id);
    if (lists && !(await this.ifHolds(request, lists, locks, node))) {
      throw new HttpException({ error: DAV_MESSAGES.preconditionFailed }, HttpStatus.PRECONDITION_FAILED);
    }
    const tokens = submittedTokens(lists ?? []);
    if (checkLocks) for (const target of targets) this.locks.assertWritable(locks, target.path, target.deep, tokens);
  }

  /** RFC 4918 §10.4: true when any list holds; a list holds when all its conditions do. */
  private async ifHolds(request: DavRequest, lists: IfList[], locks: DavLock[], node: TreeNode | null): Promise<boolean> {
    for (const list of lists) {
      const path = list.resource === null ? request.path : pathOfHref(list.resource);
      if (!path) continue;
      const resource = list.resource === null ? node : await this.tree.resolve(request.user.id, path);
      const tokens = new Set(this.locks.covering(locks, path).map((lock) => LOCK_TOKEN_PREFIX + lock.token));
      const etag = resource ? etagOf(resource) : null;
      const holds = list.conditions.every((condition) => {
        const matches = 'token' in condition ? tokens.has(condition.token) : etag !== null && condition.etag === etag;
        return condition.not ? !matches : matches;
      });
      if (holds) return true;
    }
    return false;
  }

  /** The tree's conflicts in WebDAV's words: an occupied target is 412 (Overwrite: F), the rest 409. */
  private async conflictsAsDav<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof TreeConflictError) {
        if (error.reason === 'exists') throw new HttpException({ error: error.message }, HttpStatus.PRECONDITION_FAILED);
        if (error.reason === 'into-itself') throw new ForbiddenException({ error: error.message });
        if (error.reason === 'is-folder') throw new HttpException({ error: DAV_MESSAGES.collectionPut }, HttpStatus.METHOD_NOT_ALLOWED);
      }
      throw error;
    }
  }

  /** A folder's GET: a plain list of its names (folders end in `/`). */
  async folderListing(request: DavRequest, id: number): Promise<DavAnswer> {
    const { folders, files } = await this.tree.listFolder(request.user.id, id);
    const lines = [...folders.map((f) => `${f.name}/`), ...files.map(({ file }) => file.name)];
    return { status: 200, contentType: 'text/plain; charset=utf-8', body: lines.join('\n') + (lines.length ? '\n' : '') };
  }
}

class ConflictWithBody extends HttpException {
  constructor(message: string) {
    super({ error: message }, HttpStatus.CONFLICT);
  }
}
