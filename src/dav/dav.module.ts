import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FilesModule } from '../files/files.module';
import { DavController } from './dav.controller';
import { DavLocksRepository } from './dav-locks.repository';
import { DavLocksService } from './dav-locks.service';
import { DavService } from './dav.service';
import { DavLock } from './entities/dav-lock.entity';

/** WebDAV at /dav/ (CONTRACT §6), on the Files module's tree, files and upload pipeline. */
@Module({
  imports: [TypeOrmModule.forFeature([DavLock]), FilesModule],
  controllers: [DavController],
  providers: [DavService, DavLocksService, DavLocksRepository],
})
export class DavModule {}
