import { Injectable, PipeTransform } from '@nestjs/common';
import { parseTreePath, TreePath } from './tree-path';

/** A route's `*path` wildcard (its names, URL-decoded one by one): 400 before anything looks at a bad name. */
@Injectable()
export class TreePathPipe implements PipeTransform<string | string[], TreePath> {
  transform(value: string | string[]): TreePath {
    return parseTreePath(Array.isArray(value) ? value : [value]);
  }
}
