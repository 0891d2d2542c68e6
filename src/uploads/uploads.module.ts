import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Server } from '@tus/server';
import { NamedLock } from '../common/locks/named-lock.entity';
import { SharedLocks, sharedLocksProvider } from '../common/locks/shared-locks';
import { APP_CONFIG } from '../config/app-config';
import { FilesModule } from '../files/files.module';
import { UsersModule } from '../users/users.module';
import { ResumableUpload } from './entities/resumable-upload.entity';
import { ResumableUploadsRepository } from './resumable-uploads.repository';
import { createTusServer } from './tus-server';
import { UploadsController } from './uploads.controller';
import { UploadsService } from './uploads.service';

/** Resumable uploads (CONTRACT §7) over tus, into the Files services and the blob store. */
@Module({
  imports: [TypeOrmModule.forFeature([ResumableUpload, NamedLock]), FilesModule, UsersModule],
  controllers: [UploadsController],
  providers: [
    UploadsService,
    ResumableUploadsRepository,
    sharedLocksProvider,
    { provide: Server, inject: [APP_CONFIG, UploadsService, SharedLocks], useFactory: createTusServer },
  ],
})
export class UploadsModule {}
