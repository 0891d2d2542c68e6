import { BlobSweeper, ORPHAN_GRACE_MS } from '../../src/files/blob-sweeper.service';
import { FileUploadService } from '../../src/files/file-upload.service';
import { FilesService } from '../../src/files/files.service';
import { ReservationReleases } from '../../src/files/reservation-releases';
import { UploadReservationsRepository } from '../../src/files/upload-reservations.repository';
import { ResumableUploadsRepository } from '../../src/uploads/resumable-uploads.repository';
import { LogCapture } from '../support/log-capture';
import { PrivatePostgres } from '../support/private-postgres';
import { loginAdmin, newUser } from '../support/users';
import { startTestApp, TestApp } from '../support/test-app';
import { Acknowledged, createTusUpload, download, eventsOf, expectInvariants, expectRetryLater, recoveryOf, sha256, TUS, tusMetadata, tusPatch, uniqueBytes, versionsOf } from './fault-kit';

/**
 * The database dies, is cut off or hangs at a chosen moment of an upload, on PostgreSQL (a
 * private server the test kills and restarts) with the S3 driver (s3rver): nothing acknowledged
 * is lost, no upload is committed twice or stuck, and the quota adds up again.
 */
describe('database faults (PostgreSQL + S3)', () => {
  let pg: PrivatePostgres;
  let t: TestApp;
  let logs: LogCapture;
  const acknowledged: Acknowledged[] = [];

  beforeAll(async () => {
    pg = await PrivatePostgres.start();
    logs = new LogCapture();
    t = await startTestApp({ ...pg.env, REDIS_URL: undefined, STORAGE_DRIVER: 's3', S3_ENDPOINT: undefined, DB_TIMEOUT: '3s', LOG_LEVEL: 'info' }, { logDestination: logs });
  });
  afterAll(async () => {
    await t?.close();
    await pg?.stop();
  });
  afterEach(() => jest.restoreAllMocks());

  /** Waits until the server logged the database's return, so that the next test starts with it up. */
  async function databaseBack(): Promise<void> {
    await logs.waitFor(recoveryOf('database'));
    logs.lines.length = 0;
  }

  it("a tus upload whose finish loses its connection after the commit is one version, and deleting a newer version keeps the older one's bytes", async () => {
    const user = await newUser(t.http, 'twice');
    const data = uniqueBytes(300_000);
    const location = await createTusUpload(t, user, data.length, 'deep/once.bin');
    await tusPatch(t, user, location, 0, data.subarray(0, 100_000)).expect(204);

    // The version is committed; the database dies just as the upload is to be marked finished.
    const uploads = t.app.get(ResumableUploadsRepository);
    const markFinished = uploads.markFinished.bind(uploads);
    jest.spyOn(uploads, 'markFinished').mockImplementationOnce(async (...args) => {
      await pg.kill();
      return markFinished(...args);
    });
    expectRetryLater(await tusPatch(t, user, location, 100_000, data.subarray(100_000)), /database/);
    await pg.restart();
    await databaseBack();

    // The next request finishes it: as the one version it already is, not a second.
    const head = await t.http.head(location).set(user.auth).set(TUS).expect(200);
    expect(head.headers['upload-offset']).toBe(String(data.length));
    expect((await versionsOf(t, user, 'deep/once.bin')).map((v) => v.sha256)).toEqual([sha256(data)]);
    acknowledged.push({ user, path: 'deep/once.bin', sha256: sha256(data), size: data.length });

    const newer = uniqueBytes(1000);
    await t.http.put('/files/deep/once.bin').set(user.auth).send(newer).expect(201);
    await t.http.delete('/files/deep/once.bin?version=2').set(user.auth).expect(204);
    const first = await download(t, user, 'deep/once.bin', 1);
    expect({ status: first.status, sha256: sha256(first.body) }).toEqual({ status: 200, sha256: sha256(data) });
  });

  it('a tus upload whose commit meets a dead database keeps its bytes, and the next request after the restart makes it the file', async () => {
    const user = await newUser(t.http, 'stuck');
    const data = uniqueBytes(200_000);
    const location = await createTusUpload(t, user, data.length, 'later/stuck.bin');
    await tusPatch(t, user, location, 0, data.subarray(0, 50_000)).expect(204);

    const files = t.app.get(FilesService);
    const putHeld = files.putHeld.bind(files);
    jest.spyOn(files, 'putHeld').mockImplementationOnce(async (...args) => {
      await pg.kill();
      return putHeld(...args);
    });
    expectRetryLater(await tusPatch(t, user, location, 50_000, data.subarray(50_000)), /database/);
    await pg.restart();
    await databaseBack();

    const head = await t.http.head(location).set(user.auth).set(TUS).expect(200);
    expect(head.headers['upload-offset']).toBe(String(data.length));
    const file = await download(t, user, 'later/stuck.bin');
    expect({ status: file.status, sha256: sha256(file.body) }).toEqual({ status: 200, sha256: sha256(data) });
    acknowledged.push({ user, path: 'later/stuck.bin', sha256: sha256(data), size: data.length });
    expect(eventsOf(logs, 'storage')).toEqual([]);
  });

  it('a database that dies under a PATCH is blamed, not the store: its write inside the append is no storage outage', async () => {
    const user = await newUser(t.http, 'blame');
    const data = uniqueBytes(10_000);
    const location = await createTusUpload(t, user, data.length, 'blame.bin');
    const uploads = t.app.get(ResumableUploadsRepository);
    const recordProgress = uploads.recordProgress.bind(uploads);
    jest.spyOn(uploads, 'recordProgress').mockImplementationOnce(async (row) => {
      await pg.kill();
      return recordProgress(row);
    });
    expectRetryLater(await tusPatch(t, user, location, 0, data.subarray(0, 4000)), /database/);
    await pg.restart();
    await databaseBack();
    // The append that failed recorded nothing: the client resumes from the offset the server has.
    const offset = Number((await t.http.head(location).set(user.auth).set(TUS).expect(200)).headers['upload-offset']);
    expect(offset).toBe(0);
    await tusPatch(t, user, location, 0, data).expect(204);
    acknowledged.push({ user, path: 'blame.bin', sha256: sha256(data), size: data.length });
    expect(eventsOf(logs, 'storage')).toEqual([]);
  });

  it('the quota adds up again within seconds after reservations could not be released during an outage', async () => {
    const user = await newUser(t.http, 'quota');
    const admin = await loginAdmin(t.http);
    await t.http.patch(`/admin/users/${user.username}`).set(admin.auth).send({ storageQuota: 100_000 }).expect(200);
    const uploads = t.app.get(FileUploadService);
    const commitVersion = uploads.commitVersion.bind(uploads);
    jest.spyOn(uploads, 'commitVersion').mockImplementationOnce(async (...args) => {
      await pg.kill();
      return commitVersion(...args);
    });
    expectRetryLater(await t.http.put('/files/big.bin').set(user.auth).send(uniqueBytes(60_000)), /database/);
    const releases = t.app.get(ReservationReleases);
    expect(releases.waiting).toBe(1);
    await pg.restart();
    await databaseBack();
    // Retried on its timer (every 5 s), not left for the sweeper's 10 minutes.
    await releases.idle();
    const data = uniqueBytes(60_000);
    await t.http.put('/files/big.bin').set(user.auth).send(data).expect(201);
    acknowledged.push({ user, path: 'big.bin', sha256: sha256(data), size: data.length });
  });

  it('a database that dies during the quota check, after the reservation was inserted, leaves no quota held', async () => {
    const user = await newUser(t.http, 'check');
    const admin = await loginAdmin(t.http);
    await t.http.patch(`/admin/users/${user.username}`).set(admin.auth).send({ storageQuota: 100_000 }).expect(200);
    const reservations = t.app.get(UploadReservationsRepository);
    const reservedByUser = reservations.reservedByUser.bind(reservations);
    jest.spyOn(reservations, 'reservedByUser').mockImplementationOnce(async (...args) => {
      await pg.kill();
      return reservedByUser(...args);
    });
    expectRetryLater(await t.http.put('/files/checked.bin').set(user.auth).send(uniqueBytes(60_000)), /database/);
    expect(t.app.get(ReservationReleases).waiting).toBe(1);
    await pg.restart();
    await databaseBack();
    await t.app.get(ReservationReleases).idle();
    // Had the first reservation stayed, these 60,000 bytes would be over the quota.
    const data = uniqueBytes(60_000);
    await t.http.put('/files/checked.bin').set(user.auth).send(data).expect(201);
    acknowledged.push({ user, path: 'checked.bin', sha256: sha256(data), size: data.length });
  });

  it('a tus upload whose creation meets a dead database after its reservation leaves no quota held', async () => {
    const user = await newUser(t.http, 'begin');
    const admin = await loginAdmin(t.http);
    await t.http.patch(`/admin/users/${user.username}`).set(admin.auth).send({ storageQuota: 100_000 }).expect(200);
    const uploads = t.app.get(ResumableUploadsRepository);
    const insert = uploads.insert.bind(uploads);
    jest.spyOn(uploads, 'insert').mockImplementationOnce(async (...args) => {
      await pg.kill();
      return insert(...args);
    });
    const refused = await t.http.post('/uploads/').set(user.auth).set(TUS).set('Upload-Length', '60000').set('Upload-Metadata', tusMetadata({ filename: 'begun.bin' }));
    expectRetryLater(refused, /database/);
    await pg.restart();
    await databaseBack();
    await t.app.get(ReservationReleases).idle();
    const data = uniqueBytes(60_000);
    const location = await createTusUpload(t, user, data.length, 'begun.bin');
    await tusPatch(t, user, location, 0, data).expect(204);
    acknowledged.push({ user, path: 'begun.bin', sha256: sha256(data), size: data.length });
  });

  it('a failed upload whose blob could not be deleted (S3 down too) leaves an orphan the sweep removes', async () => {
    const user = await newUser(t.http, 'orphan');
    const s3 = t.s3;
    if (!s3) throw new Error('the test app has no private s3rver');
    const uploads = t.app.get(FileUploadService);
    const commitVersion = uploads.commitVersion.bind(uploads);
    jest.spyOn(uploads, 'commitVersion').mockImplementationOnce(async (...args) => {
      await Promise.all([pg.kill(), s3.pause()]);
      return commitVersion(...args);
    });
    expectRetryLater(await t.http.put('/files/orphan.bin').set(user.auth).send(uniqueBytes(5000)), /database/);
    await Promise.all([pg.restart(), s3.resume()]);
    await databaseBack();
    await t.app.get(ReservationReleases).idle();
    // Swept once the grace is over (the clock is moved past it), and nothing unnamed is left: this
    // one, and the quota test's (its insert died with the database, which might have committed it,
    // so the blob was left for the sweep to decide).
    expect(await t.app.get(BlobSweeper).sweep(Date.now() + ORPHAN_GRACE_MS + 60_000)).toEqual({ blobs: 2, resumables: 0 });
    await expectInvariants(t, acknowledged);
  });
});
