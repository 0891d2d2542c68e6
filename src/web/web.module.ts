import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StoredFile } from '../files/entities/stored-file.entity';
import { UsersModule } from '../users/users.module';
import { FileLookupRepository } from './file-lookup.repository';
import { UserDirectoryController } from './user-directory.controller';
import { UserDirectoryService } from './user-directory.service';
import { webPageMiddleware } from './web-page.middleware';

/** The web page at /app/ (static files from public/) and the name lookups it needs. */
@Module({
  imports: [TypeOrmModule.forFeature([StoredFile]), UsersModule],
  controllers: [UserDirectoryController],
  providers: [UserDirectoryService, FileLookupRepository],
})
export class WebModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(webPageMiddleware()).forRoutes('{*path}');
  }
}
