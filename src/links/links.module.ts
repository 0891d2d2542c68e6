import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FilesModule } from '../files/files.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { UsersModule } from '../users/users.module';
import { Link } from './link.entity';
import { LinksController } from './links.controller';
import { LinksRepository } from './links.repository';
import { LinksService } from './links.service';
import { PublicLinksController } from './public-links.controller';

/** Public links to files (CONTRACT §8). Links go with their file (foreign key) and with their owner. */
@Module({
  imports: [TypeOrmModule.forFeature([Link]), FilesModule, UsersModule, RateLimitModule],
  controllers: [LinksController, PublicLinksController],
  providers: [LinksService, LinksRepository],
})
export class LinksModule {}
