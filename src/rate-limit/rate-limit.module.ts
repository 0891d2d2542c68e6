import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { REDIS } from '../redis/redis.module';
import { RateLimitGuard } from './rate-limit.guard';
import { rateLimitOptions } from './rate-limit.options';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/**
 * Login and sign-up throttling. Counters live in Redis when REDIS_URL is set, so that the limit
 * holds across instances; otherwise in this process's memory (one instance only).
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, REDIS],
      useFactory: (config: AppConfig, redis: Redis | null) => rateLimitOptions(config, redis ? new RedisThrottlerStorage(redis) : undefined),
    }),
  ],
  providers: [RateLimitGuard],
  exports: [RateLimitGuard],
})
export class RateLimitModule {}
