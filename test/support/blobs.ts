import { INestApplication } from '@nestjs/common';
import { BlobStore } from '../../src/storage/blob-store';

/**
 * Every blob key in the app's store, sorted, whichever driver it runs on (local disk or S3):
 * for asserting that a delete removed blobs, or that a failed upload left none.
 */
export async function blobKeysOf(app: INestApplication): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of app.get(BlobStore).list()) keys.push(key);
  return keys.sort();
}
