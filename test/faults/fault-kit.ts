import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { BlobSweeper, ORPHAN_GRACE_MS } from '../../src/files/blob-sweeper.service';
import { ReservationReleases } from '../../src/files/reservation-releases';
import { BlobStore } from '../../src/storage/blob-store';
import { UploadsService } from '../../src/uploads/uploads.service';
import { binaryBody } from '../support/http';
import { LogCapture, LogLine } from '../support/log-capture';
import { TestApp } from '../support/test-app';
import { LoggedInUser } from '../support/users';

export const TUS = { 'Tus-Resumable': '1.0.0' };

/** The outage and recovery events logged for a dependency, in order. */
export function eventsOf(logs: LogCapture, dependency: string): string[] {
  return logs.lines.filter((l) => l.dependency === dependency).map((l) => String(l.event));
}

export const recoveryOf =
  (dependency: string) =>
  (line: LogLine): boolean =>
    line.dependency === dependency && line.event === 'recovery';

/** Lines at error level or above: an answer nobody chose (a 500) or a stack trace. */
export function errorLines(logs: LogCapture): LogLine[] {
  return logs.lines.filter((l) => Number(l.level) >= 50);
}

/** A 503 whose error names the dependency, with Retry-After. */
export function expectRetryLater(res: { status: number; headers: Record<string, string>; body: unknown }, what: RegExp): void {
  expect({ status: res.status, error: (res.body as { error?: unknown }).error }).toEqual({ status: 503, error: expect.stringMatching(what) });
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function tusMetadata(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');
}

/** Bytes no other upload of the run has: each acknowledged upload is then one version, found by its sha256. */
export function uniqueBytes(size: number): Buffer {
  return randomBytes(size);
}

/** An upload the server acknowledged (2xx): its bytes must be readable whatever failed since. */
export interface Acknowledged {
  user: LoggedInUser;
  path: string;
  sha256: string;
  size: number;
}

export async function createTusUpload(t: TestApp, user: LoggedInUser, length: number, path: string): Promise<string> {
  const res = await t.http.post('/uploads/').set(user.auth).set(TUS).set('Upload-Length', String(length)).set('Upload-Metadata', tusMetadata({ filename: path })).expect(201);
  return new URL(String(res.headers.location)).pathname;
}

export function tusPatch(t: TestApp, user: LoggedInUser, location: string, offset: number, body: Buffer) {
  return t.http.patch(location).set(user.auth).set(TUS).set('Upload-Offset', String(offset)).set('Content-Type', 'application/offset+octet-stream').send(body);
}

export async function download(t: TestApp, user: LoggedInUser, path: string, version?: number): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const res = await t.http
    .get(`/files/${path}${version === undefined ? '' : `?version=${version}`}`)
    .set(user.auth)
    .buffer(true)
    .parse(binaryBody);
  return { status: res.status, headers: res.headers, body: res.body as Buffer };
}

export async function versionsOf(t: TestApp, user: LoggedInUser, path: string): Promise<{ version: number; sha256: string; size: number }[]> {
  const res = await t.http.get(`/files/${path}/versions`).set(user.auth).expect(200);
  return res.body as { version: number; sha256: string; size: number }[];
}

async function rows<T>(t: TestApp, sql: string): Promise<T[]> {
  return t.app.get(DataSource).query<T[]>(sql);
}

/** Up to this many acknowledged uploads are all read back through the API; of more (the soak), one in READ_SAMPLE. */
const READ_ALL_UP_TO = 200;
const READ_SAMPLE = 25;

/**
 * What must hold once every dependency is back, whatever failed before (README "When things
 * fail"): every acknowledged upload is exactly one version (found by its sha256, which the
 * server computed from the bytes as it stored them: each test upload's bytes are unique), of its
 * owner's file of that name, whose blob is in the store at its size; its bytes are read back
 * through the API (all of them, or a sample of a long run). No two versions or sounds share a
 * blob; no upload is stuck with all its bytes and no file; no reservation holds quota; after the
 * orphan sweep, every blob in the store is named by a row and every version's blob is there.
 */
export async function expectInvariants(t: TestApp, acknowledged: readonly Acknowledged[]): Promise<void> {
  const shared = await rows<{ blob_key: string }>(
    t,
    'SELECT blob_key FROM (SELECT blob_key FROM file_versions UNION ALL SELECT blob_key FROM sounds) k GROUP BY blob_key HAVING COUNT(*) > 1',
  );
  expect(shared).toEqual([]);
  // Uploads whose last request met the outage are finished by the server on a timer: run it now.
  await t.app.get(UploadsService).finishReceived();
  const stuck = await rows<{ id: string }>(t, 'SELECT id FROM resumable_uploads WHERE received = length AND finished_at IS NULL');
  expect(stuck).toEqual([]);
  // Releases that failed during the outage are retried on a timer: run the retry now.
  expect(await t.app.get(ReservationReleases).retry()).toBe(0);
  const reserved = await rows<{ id: number; blob_key: string }>(t, 'SELECT r.id, r.blob_key FROM upload_reservations r WHERE NOT EXISTS (SELECT 1 FROM resumable_uploads u WHERE u.blob_key = r.blob_key)');
  expect(reserved).toEqual([]);

  await t.app.get(BlobSweeper).sweep(Date.now() + ORPHAN_GRACE_MS + 60_000);
  const stored = new Map<string, number>();
  for await (const { key, size } of t.app.get(BlobStore).list()) stored.set(key, size);
  const named = new Set(
    (await rows<{ blob_key: string }>(t, 'SELECT blob_key FROM file_versions UNION ALL SELECT blob_key FROM sounds UNION ALL SELECT blob_key FROM resumable_uploads')).map((r) => r.blob_key),
  );
  expect([...stored.keys()].filter((key) => !named.has(key))).toEqual([]);
  const versions = await rows<{ sha256: string; blob_key: string; owner_id: number; name: string }>(
    t,
    'SELECT v.sha256, v.blob_key, f.owner_id, f.name FROM file_versions v JOIN files f ON f.id = v.file_id',
  );
  expect(versions.filter((v) => !stored.has(v.blob_key)).map((v) => v.blob_key)).toEqual([]);

  const bySha = new Map<string, { blob_key: string; owner_id: number; name: string }[]>();
  for (const version of versions) bySha.set(version.sha256, [...(bySha.get(version.sha256) ?? []), version]);
  for (const [i, ack] of acknowledged.entries()) {
    const holders = (bySha.get(ack.sha256) ?? []).map((v) => ({ owner: Number(v.owner_id), name: v.name, size: stored.get(v.blob_key) }));
    expect({ path: ack.path, holders }).toEqual({ path: ack.path, holders: [{ owner: ack.user.id, name: ack.path.split('/').pop(), size: ack.size }] });
    if (acknowledged.length <= READ_ALL_UP_TO || i % READ_SAMPLE === 0) {
      const mine = (await versionsOf(t, ack.user, ack.path)).filter((v) => v.sha256 === ack.sha256);
      const { status, body } = await download(t, ack.user, ack.path, mine[0]?.version);
      expect({ path: ack.path, status, sha256: sha256(body) }).toEqual({ path: ack.path, status: 200, sha256: ack.sha256 });
    }
  }
}
