import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JwtModule } from '@nestjs/jwt';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { jwtKey } from './jwt-key';
import { SessionVerifier } from './guards/session-verifier';
import { BasicVerifier } from './guards/basic-verifier';
import { AppPassword } from './app-passwords/app-password.entity';
import { AppPasswordsController } from './app-passwords/app-passwords.controller';
import { AppPasswordsRepository } from './app-passwords/app-passwords.repository';
import { AppPasswordsService } from './app-passwords/app-passwords.service';
import { SessionGuard } from './guards/session.guard';
import { SessionCookie } from './session-cookie';
import { SessionsModule } from './sessions/sessions.module';

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ secret: jwtKey(config), signOptions: { algorithm: 'HS256' } }),
    }),
    TypeOrmModule.forFeature([AppPassword]),
    SessionsModule,
    UsersModule,
  ],
  controllers: [AuthController, AppPasswordsController],
  providers: [AuthService, SessionVerifier, BasicVerifier, SessionGuard, SessionCookie, AppPasswordsService, AppPasswordsRepository],
  exports: [SessionGuard],
})
export class AuthModule {}
