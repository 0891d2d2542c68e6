import { Global, Inject, Module, OnApplicationShutdown, Optional } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/** The one Redis connection of the process, or null when REDIS_URL is unset. */
export const REDIS = Symbol('REDIS');

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): Redis | null => {
        if (!config.redisUrl) return null;
        const redis = new Redis(config.redisUrl, {
          keyPrefix: config.redisKeyPrefix,
          // While Redis is down, a request fails after one reconnection attempt (a 503 within
          // moments) instead of waiting through retries; the client keeps reconnecting meanwhile.
          maxRetriesPerRequest: 1,
          connectTimeout: 3000,
          commandTimeout: 3000,
        });
        // Outages (src/availability) logs each outage once; until it listens, nothing may
        // reach ioredis's "Unhandled error event" printer.
        redis.on('error', () => undefined);
        return redis;
      },
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Optional() @Inject(REDIS) private readonly redis: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
