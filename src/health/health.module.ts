import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SessionsModule } from '../auth/sessions/sessions.module';
import { LifecycleModule } from '../lifecycle/lifecycle.module';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), SessionsModule, LifecycleModule],
  controllers: [HealthController],
})
export class HealthModule {}
