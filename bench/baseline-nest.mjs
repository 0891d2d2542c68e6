// A minimal Nest 11 app on Express: one controller answering GET /files with the same 25 names.
// What the framework alone costs. Decorators are applied by hand (plain JS, no build step).
// Usage: node bench/baseline-nest.mjs <port>
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NAMES } from './names.mjs';

class FilesController {
  list() {
    return NAMES;
  }
}
Controller()(FilesController);
Get('files')(FilesController.prototype, 'list', Object.getOwnPropertyDescriptor(FilesController.prototype, 'list'));

class AppModule {}
Module({ controllers: [FilesController] })(AppModule);

const app = await NestFactory.create(AppModule, { logger: false });
await app.listen(Number(process.argv[2]), '127.0.0.1');
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
