import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { BlobResponder } from './blob-responder';
import { BlobStore } from './blob-store';
import { LocalBlobStore } from './local-blob-store';

/** The one place that picks a driver; everything else depends on the abstract BlobStore. */
export async function createBlobStore(config: AppConfig): Promise<BlobStore> {
  switch (config.storage.driver) {
    case 'local': {
      const store = new LocalBlobStore(join(config.dataDir, 'blobs'));
      await store.init();
      return store;
    }
    case 's3': {
      // Loaded only when used: the AWS SDK adds ~20 MiB to the resident memory of every process.
      const { createS3Client, S3BlobStore, S3_READ_IDLE_MS } = await import('./s3-blob-store');
      return new S3BlobStore(createS3Client(config.storage.s3), config.storage.s3.bucket, createS3Client(config.storage.s3, S3_READ_IDLE_MS));
    }
  }
}

@Global()
@Module({
  // BlobResponder writes stored bytes to responses the same way for every module that serves them.
  providers: [{ provide: BlobStore, inject: [APP_CONFIG], useFactory: createBlobStore }, BlobResponder],
  exports: [BlobStore, BlobResponder],
})
export class StorageModule implements OnApplicationShutdown {
  constructor(@Inject(BlobStore) private readonly blobs: BlobStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.blobs.close();
  }
}
