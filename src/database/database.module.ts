import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { dataSourceOptions, SQLITE_FILE } from './data-source-options';
import { runMigrations } from './migrate';

/**
 * The database is readable by the server's own user only (CONTRACT §11). SQLite gives its -wal
 * and -shm files the main file's mode, so creating that one 0600 first covers all three;
 * files from an older version are tightened too.
 */
function prepareSqliteFile(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, SQLITE_FILE);
  closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, 0o600);
}

/** The configuration each set of options was made from, for the factory that migrates first. */
const configOf = new WeakMap<DataSourceOptions, AppConfig>();

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        if (config.db.type === 'sqlite') prepareSqliteFile(config.dataDir);
        const options = dataSourceOptions(config);
        configOf.set(options, config);
        return options;
      },
      // Retried by TypeOrmModule while the database cannot be reached at start-up, migrations included.
      dataSourceFactory: async (options) => {
        const config = options && configOf.get(options);
        if (!config) throw new Error('database options without their configuration');
        await runMigrations(config);
        return new DataSource(options).initialize();
      },
    }),
  ],
})
export class DatabaseModule {}
