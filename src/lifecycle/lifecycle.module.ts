import { Global, Module } from '@nestjs/common';
import { GracefulShutdownService } from './graceful-shutdown.service';
import { InFlightWork } from './in-flight-work';

/** Shutdown: draining requests, then the clean-up they left running (global: the upload pipeline registers its clean-up). */
@Global()
@Module({ providers: [GracefulShutdownService, InFlightWork], exports: [GracefulShutdownService, InFlightWork] })
export class LifecycleModule {}
