import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionsModule } from '../auth/sessions/sessions.module';
import { PasswordHasher } from './passwords/password-hasher';
import { UserDeletionHooks } from './user-deletion-hooks';
import { User } from './user.entity';
import { UserDirectoryController } from './user-directory.controller';
import { UserDirectoryService } from './user-directory.service';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User]), SessionsModule],
  controllers: [UsersController, UserDirectoryController],
  providers: [UsersService, UsersRepository, PasswordHasher, UserDeletionHooks, UserDirectoryService],
  // Other modules reach accounts only through UsersService: its rules, not the table.
  exports: [UsersService, PasswordHasher],
})
export class UsersModule {}
