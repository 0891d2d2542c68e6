import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BlobResponder } from '../common/http/blob-responder';
import { UsersModule } from '../users/users.module';
import { Sound } from './entities/sound.entity';
import { SoundsController } from './sounds.controller';
import { SoundsRepository } from './sounds.repository';
import { SoundsService } from './sounds.service';

/** S3's public sound library: upload, list, stream, delete. Bytes live in the global BlobStore. */
@Module({
  imports: [TypeOrmModule.forFeature([Sound]), UsersModule],
  controllers: [SoundsController],
  providers: [SoundsService, SoundsRepository, BlobResponder],
})
export class SoundsModule {}
