import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionsModule } from '../auth/sessions/sessions.module';
import { PasswordHasher } from './passwords/password-hasher';
import { UserDeletionHooks } from './user-deletion-hooks';
import { User } from './user.entity';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User]), SessionsModule],
  controllers: [UsersController],
  providers: [UsersService, UsersRepository, PasswordHasher, UserDeletionHooks],
  exports: [UsersService, UsersRepository, PasswordHasher, UserDeletionHooks],
})
export class UsersModule {}
