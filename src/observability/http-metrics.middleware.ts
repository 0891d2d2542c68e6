import { Injectable, NestMiddleware } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';
import { MetricsService } from './metrics.service';
import { routeOf } from './request-facts';

/** Counts and times every answer, including guards' refusals and 404s, by route pattern. */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const start = process.hrtime.bigint();
    let recorded = false;
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      // A client that hung up before the answer was sent is recorded with status 499 (nginx's code).
      const status = res.writableFinished ? res.statusCode : 499;
      this.metrics.httpRequest(req.method, routeOf(req), status, seconds);
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  }
}
