import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Page, Route } from 'playwright-core';
import { ResumableUploadsRepository } from '../../src/uploads/resumable-uploads.repository';
import { makeWav } from '../support/audio';
import { TestApp, uniqueName } from '../support/test-app';
import { BrowserSuite, hasChromium, startBrowserSuite, Steps } from './browser';
import { binaryBody } from '../support/http';

if (!hasChromium) {
   
  console.warn('Skipping the browser tests: /usr/bin/chromium is not installed (apt-get install -y chromium).');
}
const describeInChromium = hasChromium ? describe : describe.skip;

describeInChromium('web page in headless Chromium (CONTRACT §3 Web page)', () => {
  let suite: BrowserSuite;
  let t: TestApp;
  let base: string;
  const openPage = (): Promise<{ page: Page; errors: string[] }> => suite.openPage();
  const registerInPage = (page: Page, username: string, password: string): Promise<void> => suite.registerInPage(page, username, password);

  beforeAll(async () => {
    suite = await startBrowserSuite();
    ({ t, base } = suite);
  });
  afterAll(() => suite?.close());

  it('registers, uploads a WAV, plays it, refuses a non-audio file in words, deletes the sound', async () => {
    const { page, errors } = await openPage();
    const steps = new Steps('sounds', () => [page]);
    const username = uniqueName('web');
    const title = `Tone ${username}`;

    await steps.run('register', async () => {
      await registerInPage(page, username, 'web-password-1');
      await expectVisible(page, '#sound-upload');
    });

    await steps.run('upload', async () => {
      await page.getByLabel('Title').fill(title);
      await page.getByLabel('Sound file').setInputFiles({ name: 'tone.wav', mimeType: 'audio/wav', buffer: makeWav(3) });
      await page.getByRole('button', { name: 'Upload sound' }).click();
      await page.locator('#message', { hasText: `Uploaded "${title}"` }).waitFor();
    });

    const item = page.locator('#sound-list li', { hasText: title });
    await steps.run('listed', async () => {
      await item.waitFor();
      expect(await item.locator('.sound-meta').textContent()).toContain(`${username} · 0:03`);
      expect(await item.getByRole('button', { name: 'Delete' }).isVisible()).toBe(true);
    });

    await steps.run('real-duration-and-seek', async () => {
      // preload="metadata": the player has the real length before anyone presses play.
      const id = await item.getAttribute('data-id');
      await page.waitForFunction((soundId) => {
        const { document } = globalThis as unknown as { document: { querySelector(selector: string): Media | null } };
        const audio = document.querySelector(`#sound-list li[data-id="${soundId}"] audio`);
        return audio !== null && Number.isFinite(audio.duration) && audio.duration > 2.9;
      }, id);
      expect(await item.locator('audio').evaluate((audio) => (audio as unknown as Media).duration)).toBeCloseTo(3, 1);
      expect(await item.locator('.sound-meta').textContent()).toContain('0:03');
      // Seeking asks the server for a range; the player lands where it was sent.
      const landed = await item.locator('audio').evaluate(
        (audio) =>
          new Promise<number>((resolve) => {
            const media = audio as unknown as Media & { addEventListener(type: string, listener: () => void, options: { once: boolean }): void };
            media.addEventListener('seeked', () => resolve(media.currentTime), { once: true });
            media.currentTime = 2;
          }),
      );
      expect(landed).toBeCloseTo(2, 1);
      await item.locator('audio').evaluate((audio) => {
        (audio as unknown as Media).currentTime = 0;
      });
    });

    await steps.run('play', async () => {
      await item.locator('audio').evaluate((audio) => (audio as unknown as Media).play());
      // currentTime advances only while the browser is really decoding and playing the stream.
      await page.waitForFunction((id) => {
        const { document } = globalThis as unknown as { document: { querySelector(selector: string): Media | null } };
        const audio = document.querySelector(`#sound-list li[data-id="${id}"] audio`);
        return audio !== null && audio.currentTime > 0.3;
      }, await item.getAttribute('data-id'));
      await item.locator('audio').evaluate((audio) => (audio as unknown as Media).pause());
    });

    await steps.run('refuse-text', async () => {
      await page.getByLabel('Sound file').setInputFiles({ name: 'notes.mp3', mimeType: 'audio/mpeg', buffer: Buffer.from('not a sound at all') });
      await page.getByRole('button', { name: 'Upload sound' }).click();
      await page.locator('#message', { hasText: 'not a supported audio format' }).waitFor();
    });

    await steps.run('delete', async () => {
      await item.getByRole('button', { name: 'Delete' }).click();
      await page.locator('#message', { hasText: `Deleted "${title}"` }).waitFor();
      await item.waitFor({ state: 'detached' });
    });

    await steps.run('logout', async () => {
      await page.getByRole('button', { name: 'Log out', exact: true }).click();
      await page.locator('#who-text', { hasText: 'Not logged in' }).waitFor();
      await expectVisible(page, '#account');
    });

    expect(errors).toEqual([]);
  });

  it("hides Delete on other users' sounds", async () => {
    const owner = uniqueName('own');
    await t.http.post('/register').send({ username: owner, password: 'owner-password-1' }).expect(204);
    const token = (await t.http.post('/login').send({ username: owner, password: 'owner-password-1' }).expect(200)).body.token as string;
    const title = `Theirs ${owner}`;
    await t.http.post('/sounds').set('Authorization', `Bearer ${token}`).attach('file', makeWav(0.5), 'theirs.wav').field('title', title).expect(201);

    const { page, errors } = await openPage();
    const steps = new Steps('others-sounds', () => [page]);
    await steps.run('visitor', async () => {
      await registerInPage(page, uniqueName('vis'), 'visitor-password-1');
      const item = page.locator('#sound-list li', { hasText: title });
      await item.waitFor();
      expect(await item.getByRole('button', { name: 'Delete' }).isVisible()).toBe(false);
    });
    expect(errors).toEqual([]);
  });

  it('uploads a file, restores an old version, shares it by name and ends the share; the other user downloads it', async () => {
    const alice = await openPage();
    const bob = await openPage();
    const steps = new Steps('files', () => [alice.page, bob.page]);
    const aliceName = uniqueName('ali');
    const bobName = uniqueName('bob');
    const content = `shared notes for ${bobName}\n`;
    const basic = { Authorization: `Basic ${Buffer.from(`${aliceName}:alice-password-1`).toString('base64')}` };

    await steps.run('register-both', async () => {
      await registerInPage(alice.page, aliceName, 'alice-password-1');
      await registerInPage(bob.page, bobName, 'bobby-password-1');
    });

    const row = alice.page.locator('#file-list tr.file', { hasText: 'notes.txt' });
    const details = alice.page.locator('#file-list tr.details');
    await steps.run('upload-twice', async () => {
      await alice.page.getByRole('button', { name: 'My files' }).click();
      for (const version of [1, 2]) {
        await alice.page.getByLabel('Files to upload').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from(`${content}v${version}`) });
        await alice.page.getByRole('button', { name: 'Upload files' }).click();
        await alice.page.locator('#message', { hasText: `"notes.txt" (version ${version})` }).waitFor();
      }
      await row.waitFor();
    });

    await steps.run('versions-and-restore', async () => {
      await row.getByRole('button', { name: 'Details of notes.txt' }).click();
      await details.locator('.versions li', { hasText: 'Version 1' }).waitFor();
      expect(await details.locator('.versions li').count()).toBe(2);
      await details.getByRole('button', { name: 'Restore version 1 of notes.txt' }).click();
      await alice.page.locator('#message', { hasText: 'Restored version 1 of "notes.txt" as version 3' }).waitFor();
      expect((await t.http.get('/files/notes.txt').set(basic).expect(200)).text).toBe(`${content}v1`);
      await details.locator('.versions li', { hasText: 'Version 3' }).waitFor();
    });

    await steps.run('share', async () => {
      await details.getByLabel('Share notes.txt with user').fill('nosuchuser1');
      await details.getByRole('button', { name: 'Share', exact: true }).click();
      await alice.page.locator('#message', { hasText: 'There is no user called "nosuchuser1"' }).waitFor();
      await details.getByLabel('Share notes.txt with user').fill(bobName);
      await details.getByRole('button', { name: 'Share', exact: true }).click();
      await alice.page.locator('#message', { hasText: `Shared "notes.txt" with ${bobName}` }).waitFor();
      await details.locator('.shares li', { hasText: bobName }).waitFor();
    });

    await steps.run('download-shared', async () => {
      await bob.page.getByRole('button', { name: 'My files' }).click();
      const shared = bob.page.locator('#shared-list li', { hasText: 'notes.txt' });
      await shared.waitFor();
      expect(await shared.textContent()).toContain(`from ${aliceName}`);
      const [download] = await Promise.all([bob.page.waitForEvent('download'), shared.getByRole('button', { name: 'Download' }).click()]);
      expect(download.suggestedFilename()).toBe('notes.txt');
      expect(await readFile((await download.path()), 'utf8')).toBe(`${content}v1`);
    });

    await steps.run('end-share', async () => {
      await details.getByRole('button', { name: `Stop sharing notes.txt with ${bobName}` }).click();
      await alice.page.locator('#message', { hasText: `"notes.txt" is no longer shared with ${bobName}` }).waitFor();
      await details.locator('.shares-none').waitFor();
      const bobToken = (await t.http.post('/login').send({ username: bobName, password: 'bobby-password-1' }).expect(200)).body.token as string;
      expect((await t.http.get('/shares/incoming').set('Authorization', `Bearer ${bobToken}`).expect(200)).body).toEqual([]);
    });

    await steps.run('download-own-and-delete', async () => {
      const [download] = await Promise.all([alice.page.waitForEvent('download'), details.getByRole('link', { name: 'Download notes.txt' }).click()]);
      expect(await readFile((await download.path()), 'utf8')).toBe(`${content}v1`);
      await details.getByRole('button', { name: 'Delete notes.txt' }).click();
      await alice.page.locator('#message', { hasText: 'Moved "notes.txt" to the trash' }).waitFor();
      await row.waitFor({ state: 'detached' });
    });

    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });

  it('organises files in folders: create, open, upload into, move by dialog and by drag, rename, delete', async () => {
    const { page, errors } = await openPage();
    const steps = new Steps('folders', () => [page]);
    const username = uniqueName('fold');
    const password = 'folder-password-1';
    const basic = { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
    const list = page.locator('#file-list');
    /** Opens the item's details row unless it is open already (it stays open across a rename). */
    async function openDetails(name: string): Promise<void> {
      const toggle = list.getByRole('button', { name: `Details of ${name}` });
      if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    }

    await steps.run('register', async () => {
      await registerInPage(page, username, password);
      await page.getByRole('button', { name: 'My files' }).click();
      await page.locator('#files-empty').waitFor();
    });

    await steps.run('new-folders', async () => {
      for (const name of ['Projects', 'Archive']) {
        await page.getByRole('button', { name: 'New folder' }).click();
        await page.getByLabel('Folder name').fill(name);
        await page.getByRole('button', { name: 'Create folder' }).click();
        await page.locator('#message', { hasText: `Created the folder "${name}"` }).waitFor();
      }
      await list.getByRole('button', { name: 'Open folder Projects' }).waitFor();
    });

    await steps.run('upload-into-folder', async () => {
      await list.getByRole('button', { name: 'Open folder Projects' }).click();
      await page.locator('#breadcrumbs [aria-current="page"]', { hasText: 'Projects' }).waitFor();
      await page.getByLabel('Files to upload').setInputFiles({ name: 'plan.txt', mimeType: 'text/plain', buffer: Buffer.from('the plan') });
      await page.getByRole('button', { name: 'Upload files' }).click();
      await page.locator('#message', { hasText: '"plan.txt" (version 1)' }).waitFor();
      await list.locator('tr', { hasText: 'plan.txt' }).waitFor();
      const res = await t.http.get('/files/Projects/plan.txt').set(basic).expect(200);
      expect(res.text).toBe('the plan');
    });

    await steps.run('move-with-dialog', async () => {
      await openDetails('plan.txt');
      await list.getByRole('button', { name: 'Move plan.txt to another folder' }).click();
      const dialog = page.locator('#move-dialog');
      await dialog.getByRole('button', { name: 'Up' }).click();
      await dialog.getByRole('button', { name: 'Open Archive' }).click();
      await dialog.locator('#move-dialog-where', { hasText: 'In Archive' }).waitFor();
      await dialog.getByRole('button', { name: 'Move here' }).click();
      await page.locator('#message', { hasText: 'Moved "Projects/plan.txt" to "Archive/plan.txt"' }).waitFor();
      await t.http.get('/files/Archive/plan.txt').set(basic).expect(200);
    });

    await steps.run('rename-folder', async () => {
      await page.locator('#breadcrumbs').getByRole('button', { name: 'Home' }).click();
      await openDetails('Archive');
      await list.getByRole('button', { name: 'Rename Archive' }).click();
      await page.getByLabel('New name').fill('Old stuff');
      await page.getByRole('button', { name: 'Rename', exact: true }).click();
      await list.getByRole('button', { name: 'Open folder Old stuff' }).waitFor();
      await t.http.get('/files/Old%20stuff/plan.txt').set(basic).expect(200);
    });

    await steps.run('drag-onto-folder', async () => {
      await list.locator('tr.folder', { hasText: 'Projects' }).dragTo(list.locator('tr.folder', { hasText: 'Old stuff' }));
      await page.locator('#message', { hasText: 'Moved "Projects" to "Old stuff/Projects"' }).waitFor();
      await t.http.get('/folders/Old%20stuff/Projects').set(basic).expect(200);
    });

    await steps.run('delete-folder', async () => {
      await openDetails('Old stuff');
      await list.getByRole('button', { name: 'Delete folder Old stuff' }).click();
      await page.locator('#message', { hasText: 'Moved "Old stuff" to the trash' }).waitFor();
      await page.locator('#files-empty').waitFor();
      await t.http.get('/folders/Old%20stuff').set(basic).expect(404);
    });

    expect(errors).toEqual([]);
  });

  it('sends big files resumably: survives a dropped network, a pause and a page reload, byte-exact', async () => {
    const { page, errors } = await openPage();
    const context = page.context();
    const steps = new Steps('resumable', () => [page]);
    const username = uniqueName('tus');
    const password = 'resumable-password-1';
    const basic = { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
    const chunk = 8 * 1024 * 1024;
    const dir = mkdtempSync(join(tmpdir(), 'cloudstash-browser-'));
    // Files on disk keep their modification time, which is part of tus-js-client's fingerprint.
    const fileOf = (name: string, size: number): { path: string; data: Buffer } => {
      const data = randomBytes(size);
      const path = join(dir, name);
      writeFileSync(path, data);
      return { path, data };
    };
    const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
    async function storedSha(name: string): Promise<string> {
      const res = await t.http
        .get(`/files/${name}`)
        .set(basic)
        .buffer(true)
        .parse(binaryBody)
        .expect(200);
      return sha256(res.body as Buffer);
    }
    async function serverOffset(): Promise<number[]> {
      const ids = (await t.app.get(ResumableUploadsRepository).findOfOwner((await t.http.get('/').set(basic).expect(200)).body.id as number)).filter((row) => !row.finishedAt);
      return ids.map((row) => row.received);
    }
    /** PATCHes as the page sends them; `onPatch` may hold or cut the n-th one (1-based). */
    const patches: string[] = [];
    let onPatch: ((n: number, route: Route) => Promise<boolean>) | undefined;
    await page.route('**/uploads/*', async (route) => {
      if (route.request().method() !== 'PATCH') return route.continue();
      patches.push((await route.request().headerValue('upload-offset')) ?? '');
      if (onPatch && (await onPatch(patches.length, route))) return;
      await route.continue();
    });
    async function upload(path: string): Promise<void> {
      await page.getByLabel('Files to upload').setInputFiles(path);
      await page.getByRole('button', { name: 'Upload files' }).click();
    }

    await steps.run('register', async () => {
      await registerInPage(page, username, password);
      await page.getByRole('button', { name: 'My files' }).click();
      await page.locator('#files-empty').waitFor();
    });

    await steps.run('network-drops-mid-upload', async () => {
      const big = fileOf('drop.bin', 2 * chunk + 12345);
      patches.length = 0;
      onPatch = async (n, route) => {
        if (n !== 2) return false;
        await context.setOffline(true);
        await route.abort('internetdisconnected');
        return true;
      };
      await upload(big.path);
      await page.locator('#upload-state', { hasText: 'The connection dropped' }).waitFor();
      expect(await serverOffset()).toEqual([chunk]);
      onPatch = undefined;
      await context.setOffline(false);
      await page.locator('#message', { hasText: 'Uploaded "drop.bin"' }).waitFor();
      // After the drop it went on from the server's offset, not from zero.
      expect(patches).toEqual(['0', String(chunk), String(chunk), String(2 * chunk)]);
      expect(await storedSha('drop.bin')).toBe(sha256(big.data));
    });

    await steps.run('pause-and-resume', async () => {
      const big = fileOf('pause.bin', chunk + 4321);
      patches.length = 0;
      let paused!: () => void;
      const pausedNow = new Promise<void>((resolve) => (paused = resolve));
      onPatch = async (n, route) => {
        if (n !== 2) return false;
        await page.getByRole('button', { name: 'Pause' }).click();
        await pausedNow;
        await route.abort('aborted').catch(() => undefined);
        return true;
      };
      await upload(big.path);
      await page.locator('#upload-state', { hasText: 'Paused' }).waitFor();
      paused();
      expect(await serverOffset()).toEqual([chunk]);
      onPatch = undefined;
      await page.getByRole('button', { name: 'Resume' }).click();
      await page.locator('#message', { hasText: 'Uploaded "pause.bin"' }).waitFor();
      expect(patches.slice(-1)).toEqual([String(chunk)]);
      expect(await storedSha('pause.bin')).toBe(sha256(big.data));
    });

    await steps.run('reload-and-continue', async () => {
      const big = fileOf('reload.bin', 2 * chunk + 99);
      patches.length = 0;
      // From the second chunk on nothing arrives (tus-js-client's retries included): the page is reloaded meanwhile.
      onPatch = async (n, route) => {
        if (n < 2) return false;
        await route.abort('aborted');
        return true;
      };
      const cut = page.waitForEvent('requestfailed', (request) => request.method() === 'PATCH');
      await upload(big.path);
      await cut;
      // An upload the server no longer has (expired, say) is forgotten once the page asked.
      const ghost = JSON.stringify({ size: 10, metadata: { filename: 'ghost.bin' }, creationTime: new Date().toString(), uploadUrl: `${base}/uploads/${'0'.repeat(32)}` });
      await page.evaluate(`localStorage.setItem('tus::tus-br-ghost::1', ${JSON.stringify(ghost)})`);
      await page.reload();
      onPatch = undefined;
      await page.getByRole('button', { name: 'My files' }).click();
      await page.locator('#upload-interrupted', { hasText: 'Unfinished: reload.bin.' }).waitFor();
      expect(await page.evaluate(`localStorage.getItem('tus::tus-br-ghost::1')`)).toBeNull();
      expect(await serverOffset()).toEqual([chunk]);
      patches.length = 0;
      await upload(big.path);
      await page.locator('#message', { hasText: 'Uploaded "reload.bin"' }).waitFor();
      expect(patches[0]).toBe(String(chunk));
      expect(await storedSha('reload.bin')).toBe(sha256(big.data));
      await page.locator('#upload-interrupted').waitFor({ state: 'hidden' });
    });

    rmSync(dir, { recursive: true, force: true });
    expect(errors).toEqual([]);
  });

  it('shows the WebDAV address, makes an app password that works once shown, revokes it, lists sessions', async () => {
    const { page, errors } = await openPage();
    const steps = new Steps('account', () => [page]);
    const username = uniqueName('acct');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });

    await steps.run('register', async () => {
      await registerInPage(page, username, 'account-password-1');
      await page.getByRole('button', { name: 'Account' }).click();
      await page.locator('#session-list li', { hasText: 'This browser' }).waitFor();
      expect(await page.getByLabel('WebDAV address').inputValue()).toBe(`${base}/dav/`);
      await page.locator('#dav-copy').click();
      await page.locator('#message', { hasText: 'Copied the WebDAV address' }).waitFor();
    });

    let secret = '';
    await steps.run('create-app-password', async () => {
      await page.getByLabel('Name of the new app password').fill('rclone on my laptop');
      await page.getByRole('button', { name: 'Create app password' }).click();
      await page.locator('#message', { hasText: 'Created the app password "rclone on my laptop"' }).waitFor();
      secret = await page.getByLabel('New app password', { exact: true }).inputValue();
      expect(secret.length).toBeGreaterThanOrEqual(32);
      await page.locator('#app-password-list li', { hasText: 'rclone on my laptop' }).waitFor();
      const basic = { Authorization: `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}` };
      await t.http.propfind('/dav/').set(basic).set('Depth', '0').expect(207);
    });

    await steps.run('shown-once', async () => {
      await page.getByRole('button', { name: 'Sounds' }).click();
      await page.getByRole('button', { name: 'Account' }).click();
      await page.locator('#app-password-list li', { hasText: 'rclone on my laptop' }).waitFor();
      expect(await page.locator('#app-password-new').isHidden()).toBe(true);
      expect(await page.content()).not.toContain(secret);
    });

    await steps.run('revoke', async () => {
      await page.getByRole('button', { name: 'Revoke app password rclone on my laptop' }).click();
      await page.locator('#message', { hasText: 'Revoked "rclone on my laptop"' }).waitFor();
      await page.locator('#app-passwords-empty').waitFor();
      const basic = { Authorization: `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}` };
      await t.http.propfind('/dav/').set(basic).set('Depth', '0').expect(401);
    });

    await steps.run('end-other-sessions', async () => {
      const other = (await t.http.post('/login').set('User-Agent', 'rclone/v1.60').send({ username, password: 'account-password-1' }).expect(200)).body.token as string;
      await page.getByRole('button', { name: 'Sounds' }).click();
      await page.getByRole('button', { name: 'Account' }).click();
      await page.locator('#session-list li', { hasText: 'rclone' }).waitFor();
      await page.getByRole('button', { name: 'Log out everywhere else' }).click();
      await page.locator('#message', { hasText: 'Logged out everywhere else' }).waitFor();
      await page.locator('#session-list li', { hasText: 'rclone' }).waitFor({ state: 'detached' });
      await t.http.get(`/user/${username}`).set('Authorization', `Bearer ${other}`).expect(401);
      await page.locator('#who-text', { hasText: `Logged in as ${username}` }).waitFor();
    });

    expect(errors).toEqual([]);
  });
});

/** The part of HTMLMediaElement the test uses (this tsconfig has no DOM types). */
interface Media {
  currentTime: number;
  duration: number;
  play(): Promise<void>;
  pause(): void;
}

async function expectVisible(page: Page, selector: string): Promise<void> {
  await page.locator(selector).waitFor({ state: 'visible' });
}
