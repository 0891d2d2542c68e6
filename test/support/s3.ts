import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string; configs: string[] }[];
}) => S3rverInstance;

export interface TestS3 {
  /** The S3_* variables that point the app at this server. */
  env: Record<string, string>;
  endpoint: string;
  bucket: string;
  stop(): Promise<void>;
  /** Closes the server but keeps its data: the endpoint refuses connections until resume(). */
  pause(): Promise<void>;
  /** Starts the server again on the same port and data. */
  resume(): Promise<void>;
}

/** s3rver in this process on a free port, with its own temp directory and one empty bucket. */
export async function startS3rver(bucket = 'cloudstash-test'): Promise<TestS3> {
  // s3rver ships no types: loaded untyped, given the constructor type above.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require('s3rver') as S3rverConstructor;
  const directory = mkdtempSync(join(tmpdir(), 'cloudstash-s3rver-'));
  const make = (port: number) => new S3rver({ address: '127.0.0.1', port, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  let server = make(0);
  const { port } = await server.run();
  let running = true;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    env: {
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    },
    stop: async () => {
      if (running) await server.close();
      running = false;
      rmSync(directory, { recursive: true, force: true });
    },
    pause: async () => {
      if (running) await server.close();
      running = false;
    },
    resume: async () => {
      server = make(port);
      await server.run();
      running = true;
    },
  };
}
