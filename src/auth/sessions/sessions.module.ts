import { Module } from '@nestjs/common';
import { getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { Repository } from 'typeorm';
import { MetricsService } from '../../observability/metrics.service';
import { REDIS } from '../../redis/redis.module';
import { DatabaseSessionStore } from './database-session.store';
import { MeteredSessionStore } from './metered-session.store';
import { RedisSessionStore } from './redis-session.store';
import { SessionRow } from './session.entity';
import { SessionStore } from './session-store';

@Module({
  imports: [TypeOrmModule.forFeature([SessionRow])],
  providers: [
    {
      provide: SessionStore,
      inject: [REDIS, getRepositoryToken(SessionRow), MetricsService],
      useFactory: (redis: Redis | null, rows: Repository<SessionRow>, metrics: MetricsService): SessionStore =>
        new MeteredSessionStore(redis ? new RedisSessionStore(redis) : new DatabaseSessionStore(rows), metrics),
    },
  ],
  exports: [SessionStore],
})
export class SessionsModule {}
