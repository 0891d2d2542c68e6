import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Request } from 'express';
import { bodyErrorOf } from './json-body.middleware';

/**
 * The first global guard: a route whose JSON body could not be read answers that error
 * (400, 413, 415) before anything else looks at the request, as if the parser had answered.
 */
@Injectable()
export class BodyErrorGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const error = bodyErrorOf(context.switchToHttp().getRequest<Request>());
    if (error !== undefined) throw error;
    return true;
  }
}
