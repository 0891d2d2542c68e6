import { Global, Module } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS } from '../redis/redis.module';
import { AttemptCounters, MemoryAttemptCounters, RedisAttemptCounters } from './attempt-counters';
import { DeviceCookie } from './device-cookie';
import { PasswordAttempts } from './password-attempts.service';
import { SignUpLimitInterceptor } from './sign-up-limit.interceptor';

/**
 * Abuse limits (CONTRACT §11): failed password checks and sign-ups. Counters live in Redis when
 * REDIS_URL is set, so that the limits hold across instances; otherwise in this process's memory.
 */
@Global()
@Module({
  providers: [
    {
      provide: AttemptCounters,
      inject: [REDIS],
      useFactory: (redis: Redis | null): AttemptCounters => (redis ? new RedisAttemptCounters(redis) : new MemoryAttemptCounters()),
    },
    DeviceCookie,
    PasswordAttempts,
    SignUpLimitInterceptor,
  ],
  exports: [AttemptCounters, DeviceCookie, PasswordAttempts, SignUpLimitInterceptor],
})
export class RateLimitModule {}
