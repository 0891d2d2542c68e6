import { urlencoded } from 'express';
import { DynamicModule, Inject, MiddlewareConsumer, Module, NestModule, OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { AvailabilityModule } from './availability/availability.module';
import { SessionGuard } from './auth/guards/session.guard';
import { BodyErrorGuard } from './common/http/body-error.guard';
import { HttpExceptionFilter } from './common/http/http-exception.filter';
import { EVERY_PATH } from './common/http/every-path';
import { jsonBodyParser } from './common/http/json-body.middleware';
import { AppValidationPipe } from './common/http/validation';
import { APP_CONFIG, AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DavModule } from './dav/dav.module';
import { FilesModule } from './files/files.module';
import { HealthModule } from './health/health.module';
import { LinksModule } from './links/links.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { ObservabilityModule, ObservabilityOptions } from './observability/observability.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { RedisModule } from './redis/redis.module';
import { CrossSiteMiddleware } from './security/cross-site.middleware';
import { SoundsModule } from './sounds/sounds.module';
import { WebModule } from './web/web.module';
import { StorageModule } from './storage/storage.module';
import { UploadsModule } from './uploads/uploads.module';
import { UsersModule } from './users/users.module';
import { UsersService } from './users/users.service';

@Module({})
export class AppModule implements NestModule, OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
  ) {}

  static forRoot(config: AppConfig, observability: ObservabilityOptions = {}): DynamicModule {
    return {
      module: AppModule,
      // Express tries routes in registration order, which follows this list: the routes every
      // client calls most (health probes, files, sounds) come first, so that matching them does
      // not walk past every account and admin route (README "Small requests").
      imports: [ConfigModule.forRoot(config), ObservabilityModule.forRoot(observability), DatabaseModule, RedisModule, StorageModule, AvailabilityModule, HealthModule, FilesModule, SoundsModule, DavModule, UploadsModule, LinksModule, UsersModule, AuthModule, AdminModule, WebModule, RateLimitModule, LifecycleModule],
      // Cross-cutting providers, all in one place.
      providers: [
        { provide: APP_GUARD, useClass: BodyErrorGuard },
        { provide: APP_GUARD, useExisting: SessionGuard },
        { provide: APP_PIPE, useClass: AppValidationPipe },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // Before any body is read: a refused cross-site upload costs nothing.
    consumer.apply(CrossSiteMiddleware).forRoutes(EVERY_PATH);
    // PUT /files/{path} streams its raw body into the blob store, WebDAV reads its own bodies
    // (file bytes, XML) and tus its PATCHes: no parser may read them first.
    // A public link's password form posts form-urlencoded; the JSON parser then leaves it alone.
    consumer.apply(urlencoded({ extended: false, limit: '8kb' })).forRoutes({ path: 's/*token', method: RequestMethod.POST });
    consumer
      .apply(jsonBodyParser)
      .exclude({ path: 'files/*path', method: RequestMethod.PUT }, { path: 'dav', method: RequestMethod.ALL }, { path: 'dav/*path', method: RequestMethod.ALL }, { path: 'uploads', method: RequestMethod.ALL }, { path: 'uploads/*id', method: RequestMethod.ALL })
      .forRoutes(EVERY_PATH);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.admin) await this.users.ensureAdmin(this.config.admin.username, this.config.admin.password);
  }
}
