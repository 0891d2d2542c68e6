import { ApiParam } from '@nestjs/swagger';
import { Injectable, PipeTransform } from '@nestjs/common';
import { parseTreePath, TreePath } from './tree-path';

/** A route's `*path` wildcard (its names, URL-decoded one by one): 400 before anything looks at a bad name. */
@Injectable()
export class TreePathPipe implements PipeTransform<string | string[], TreePath> {
  transform(value: string | string[]): TreePath {
    return parseTreePath(Array.isArray(value) ? value : [value]);
  }
}

/** Documents a route's `*path` wildcard: one OpenAPI parameter, written with literal slashes. */
export function ApiTreePath(): MethodDecorator {
  return ApiParam({ name: 'path', type: String, description: 'names joined by literal `/` (each name URL-encoded; `%2F` inside a name is refused)', example: 'photos/2024/cat.jpg' });
}
