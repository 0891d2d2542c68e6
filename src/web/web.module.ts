import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { UserDirectoryController } from './user-directory.controller';
import { UserDirectoryService } from './user-directory.service';
import { webPageMiddleware } from './web-page.middleware';

/** The web page at /app/ (static files from public/) and the user name lookup it needs. */
@Module({
  imports: [UsersModule],
  controllers: [UserDirectoryController],
  providers: [UserDirectoryService],
})
export class WebModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(webPageMiddleware()).forRoutes('{*path}');
  }
}
