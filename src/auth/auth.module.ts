import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { jwtKey } from './jwt-key';
import { SessionVerifier } from './guards/session-verifier';
import { SessionGuard } from './guards/session.guard';
import { SessionCookie } from './session-cookie';
import { SessionsModule } from './sessions/sessions.module';

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ secret: jwtKey(config), signOptions: { algorithm: 'HS256' } }),
    }),
    SessionsModule,
    UsersModule,
  ],
  controllers: [AuthController],
  providers: [AuthService, SessionVerifier, SessionGuard, SessionCookie],
  exports: [SessionGuard],
})
export class AuthModule {}
