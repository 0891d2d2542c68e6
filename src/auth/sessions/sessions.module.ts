import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { Repository } from 'typeorm';
import { getRepositoryToken } from '@nestjs/typeorm';
import { REDIS } from '../../redis/redis.module';
import { DatabaseSessionStore } from './database-session.store';
import { RedisSessionStore } from './redis-session.store';
import { SessionRow } from './session.entity';
import { SessionStore } from './session-store';

@Module({
  imports: [TypeOrmModule.forFeature([SessionRow])],
  providers: [
    {
      provide: SessionStore,
      inject: [REDIS, getRepositoryToken(SessionRow)],
      useFactory: (redis: Redis | null, rows: Repository<SessionRow>): SessionStore =>
        redis ? new RedisSessionStore(redis) : new DatabaseSessionStore(rows),
    },
  ],
  exports: [SessionStore],
})
export class SessionsModule {}
