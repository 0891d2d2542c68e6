import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { EVERY_PATH } from '../common/http/every-path';
import { webPageMiddleware } from './web-page.middleware';

/** The web page at /app/: static files from public/ (the user name lookup it needs lives in the Users module). */
@Module({})
export class WebModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(webPageMiddleware()).forRoutes(EVERY_PATH);
  }
}
