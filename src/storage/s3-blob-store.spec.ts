import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListMultipartUploadsCommandOutput,
  ListObjectsV2Command,
  MultipartUpload,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { DependencyUnavailableError } from '../availability/dependency-errors';
import { S3BlobStore } from './s3-blob-store';

const OLD = new Date('2024-01-01T00:00:00Z');
const CUTOFF = new Date('2024-06-01T00:00:00Z');
const NEW = new Date('2024-07-01T00:00:00Z');

function key(n: number): string {
  return n.toString(16).padStart(32, '0');
}

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: name });
}

type Page = Pick<ListMultipartUploadsCommandOutput, 'Uploads' | 'IsTruncated' | 'NextKeyMarker' | 'NextUploadIdMarker'>;

/**
 * The S3 client, this module's boundary, as a store that lists multipart uploads in pages keyed
 * by their markers (which s3rver cannot), and records the aborts and deletes asked of it.
 */
class FakeS3 {
  readonly aborted: string[] = [];
  readonly deleted: string[] = [];
  readonly markers: (string | undefined)[] = [];
  listError: Error | undefined;
  abortErrors = new Map<string, Error>();
  tails: { Key: string; LastModified: Date }[] = [];

  constructor(private readonly pages: Map<string | undefined, Page>) {}

  send(command: unknown): Promise<unknown> {
    if (command instanceof ListMultipartUploadsCommand) {
      this.markers.push(command.input.KeyMarker && `${command.input.KeyMarker}/${command.input.UploadIdMarker}`);
      if (this.listError) return Promise.reject(this.listError);
      return Promise.resolve(this.pages.get(this.markers.at(-1)) ?? { Uploads: [] });
    }
    if (command instanceof AbortMultipartUploadCommand) {
      const error = this.abortErrors.get(command.input.UploadId ?? '');
      if (error) return Promise.reject(error);
      this.aborted.push(`${command.input.Key}/${command.input.UploadId}`);
      return Promise.resolve({});
    }
    if (command instanceof ListObjectsV2Command) {
      expect(command.input.Prefix).toBe('uploads/');
      return Promise.resolve({ Contents: this.tails });
    }
    if (command instanceof DeleteObjectCommand) {
      this.deleted.push(command.input.Key ?? '');
      return Promise.resolve({});
    }
    return Promise.reject(new Error(`unexpected ${(command as object).constructor.name}`));
  }
}

function upload(n: number, uploadId: string, initiated: Date | undefined): MultipartUpload {
  return { Key: key(n), UploadId: uploadId, Initiated: initiated };
}

function storeOn(fake: FakeS3): S3BlobStore {
  return new S3BlobStore(fake as unknown as S3Client, 'bucket');
}

describe('S3BlobStore.sweepResumables', () => {
  let fake: FakeS3;
  let asked: string[];
  const inUse = (used: string[]) => async (k: string) => {
    asked.push(k);
    return used.includes(k);
  };

  beforeEach(() => {
    asked = [];
    fake = new FakeS3(
      new Map<string | undefined, Page>([
        [
          undefined,
          {
            Uploads: [
              upload(1, 'u1', OLD),
              // A write() that a crash cut twice for the same key: both go, the key is asked about once.
              upload(2, 'u2a', OLD),
              upload(2, 'u2b', OLD),
              upload(3, 'u3', OLD),
              upload(4, 'u4', NEW),
              upload(5, 'u5', undefined),
              { Key: 'not-a-blob', UploadId: 'x', Initiated: OLD },
            ],
            IsTruncated: true,
            NextKeyMarker: key(5),
            NextUploadIdMarker: 'u5',
          },
        ],
        [`${key(5)}/u5`, { Uploads: [upload(6, 'u6', OLD)], IsTruncated: false }],
      ]),
    );
  });

  it('aborts, over every page, the multipart uploads started before the cutoff whose blob key is not in use', async () => {
    const removed = await storeOn(fake).sweepResumables(CUTOFF, inUse([key(3)]));
    expect(fake.aborted).toEqual([`${key(1)}/u1`, `${key(2)}/u2a`, `${key(2)}/u2b`, `${key(6)}/u6`]);
    expect(removed).toBe(4);
    expect(fake.markers).toEqual([undefined, `${key(5)}/u5`]);
    // Young, undated and non-blob uploads are not even asked about; a key only once.
    expect(asked).toEqual([key(1), key(2), key(3), key(6)]);
  });

  it('does not count an upload that was gone when aborted (completed or aborted meanwhile)', async () => {
    fake.abortErrors.set('u1', s3Error('NoSuchUpload', 404));
    expect(await storeOn(fake).sweepResumables(CUTOFF, inUse([]))).toBe(4);
    expect(fake.aborted).toEqual([`${key(2)}/u2a`, `${key(2)}/u2b`, `${key(3)}/u3`, `${key(6)}/u6`]);
  });

  it('deletes stale tails of unused keys too, and counts them', async () => {
    fake.tails = [
      { Key: `uploads/${key(7)}/tail-0-100`, LastModified: OLD },
      { Key: `uploads/${key(3)}/tail-0-100`, LastModified: OLD },
      { Key: `uploads/${key(8)}/tail-0-100`, LastModified: NEW },
      { Key: `uploads/${key(9)}/other`, LastModified: OLD },
    ];
    const removed = await storeOn(fake).sweepResumables(CUTOFF, inUse([key(3)]));
    expect(fake.deleted).toEqual([`uploads/${key(7)}/tail-0-100`]);
    expect(removed).toBe(5);
  });

  it('on a store that lists no multipart uploads, still sweeps the tails and says what it skipped, without failing', async () => {
    fake.listError = s3Error('NotImplemented', 501);
    fake.tails = [{ Key: `uploads/${key(7)}/tail-0-100`, LastModified: OLD }];
    const store = storeOn(fake);
    expect(await store.sweepResumables(CUTOFF, inUse([]))).toBe(1);
    expect(store.sweepSkipped).toMatch(/multipart/);
    expect(fake.aborted).toEqual([]);

    fake.listError = undefined;
    await store.sweepResumables(CUTOFF, inUse([]));
    expect(store.sweepSkipped).toBeUndefined();
  });

  it('a store that is down fails the sweep as the dependency it is', async () => {
    fake.listError = s3Error('ServiceUnavailable', 503);
    await expect(storeOn(fake).sweepResumables(CUTOFF, inUse([]))).rejects.toMatchObject({ constructor: DependencyUnavailableError, dependency: 'storage' });
  });
});
