import { Global, Module } from '@nestjs/common';
import { Outages } from './outages.service';

/** Outage tracking for the exception filter, which answers 503 while a dependency is down. */
@Global()
@Module({ providers: [Outages], exports: [Outages] })
export class AvailabilityModule {}
