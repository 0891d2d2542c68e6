import { mkdirSync } from 'node:fs';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        if (config.db.type === 'sqlite') mkdirSync(config.dataDir, { recursive: true });
        return dataSourceOptions(config);
      },
    }),
  ],
})
export class DatabaseModule {}
