import { Module } from '@nestjs/common';
import { SessionsModule } from '../auth/sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';
import { NoStorageUsage, StorageUsageReader } from './storage-usage';

@Module({
  imports: [UsersModule, SessionsModule],
  controllers: [AdminController],
  providers: [AdminService, { provide: StorageUsageReader, useClass: NoStorageUsage }],
})
export class AdminModule {}
