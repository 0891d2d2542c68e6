import { Module } from '@nestjs/common';
import { SessionsModule } from '../auth/sessions/sessions.module';
import { FilesModule } from '../files/files.module';
import { FilesStorageUsage } from '../files/files-storage-usage';
import { UsersModule } from '../users/users.module';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';
import { StorageUsageReader } from './storage-usage';

@Module({
  imports: [UsersModule, SessionsModule, FilesModule],
  controllers: [AdminController],
  providers: [AdminService, { provide: StorageUsageReader, useExisting: FilesStorageUsage }],
})
export class AdminModule {}
