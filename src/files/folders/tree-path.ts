import { BadRequestException } from '@nestjs/common';
import { isValidFileName } from '../file-name';
import { FOLDER_MESSAGES } from './folders.constants';

/** A place in a user's tree: its names from the root down; `[]` is the root. */
export type TreePath = readonly string[];

/**
 * The names of a route's wildcard (`/files/a/b`, each already URL-decoded, so an encoded `%2F`
 * is inside one name and makes it invalid) or of a body's `"a/b"` (one leading or trailing `/`
 * allowed). Every name obeys the file-name rule.
 */
export function parseTreePath(raw: string | readonly string[]): TreePath {
  const names = typeof raw === 'string' ? raw.replace(/^\//, '').replace(/\/$/, '').split('/') : raw;
  if (typeof raw === 'string' && names.length === 1 && names[0] === '') return [];
  if (!names.every(isValidFileName)) throw new BadRequestException({ error: FOLDER_MESSAGES.badPath });
  return names;
}

export function formatTreePath(path: TreePath): string {
  return path.join('/');
}

export function parentOf(path: TreePath): TreePath {
  return path.slice(0, -1);
}

export function isWithin(path: TreePath, ancestor: TreePath): boolean {
  return ancestor.length <= path.length && ancestor.every((name, i) => path[i] === name);
}
