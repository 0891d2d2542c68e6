import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FilesModule } from '../files/files.module';
import { UsersModule } from '../users/users.module';
import { Sound } from './entities/sound.entity';
import { SoundsController } from './sounds.controller';
import { SoundsRepository } from './sounds.repository';
import { SoundsService } from './sounds.service';

/** S3's public sound library: upload, list, stream, delete. Uploads go through the Files module's one upload pipeline. */
@Module({
  imports: [TypeOrmModule.forFeature([Sound]), UsersModule, FilesModule],
  controllers: [SoundsController],
  providers: [SoundsService, SoundsRepository],
})
export class SoundsModule {}
