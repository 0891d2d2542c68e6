import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Page } from 'playwright-core';
import { ADMIN, TestApp, uniqueName } from '../support/test-app';
import { BrowserSuite, hasChromium, startBrowserSuite, Steps } from './browser';

const describeInChromium = hasChromium ? describe : describe.skip;

/** CONTRACT §8-§10 in the browser: the file table, links, trash, the admin console, a phone's width. */
describeInChromium('file manager, links, trash and admin console in headless Chromium', () => {
  let suite: BrowserSuite;
  let t: TestApp;
  beforeAll(async () => {
    suite = await startBrowserSuite();
    t = suite.t;
  });
  afterAll(() => suite?.close());

  /** A user made through the API, with Basic headers for checking what the page did. */
  async function apiUser(prefix: string): Promise<{ username: string; password: string; auth: { Authorization: string } }> {
    const username = uniqueName(prefix);
    const password = `${prefix}-password-1`;
    await t.http.post('/register').send({ username, password }).expect(204);
    return { username, password, auth: { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` } };
  }
  const put = (auth: { Authorization: string }, path: string, body: string) => t.http.put(`/files/${path}`).set(auth).set('Content-Type', 'text/plain').send(body).expect(201);
  const names = (page: Page) => page.locator('#file-list tr.item').evaluateAll((rows) => rows.map((row) => (row as unknown as { dataset: { name: string } }).dataset.name));

  it('sorts folders first by name, size and date; selects several; moves and deletes them in bulk; uploads dropped files and a picked folder', async () => {
    const user = await apiUser('tbl');
    await put(user.auth, 'b-mid.txt', 'x'.repeat(50));
    await put(user.auth, 'a-small.txt', 'x'.repeat(3));
    await put(user.auth, 'c-big.txt', 'x'.repeat(100));
    for (const folder of ['Zeta', 'Alpha']) await t.http.post(`/folders/${folder}`).set(user.auth).expect(201);
    const { page, errors } = await suite.openPage();
    const steps = new Steps('table', () => [page]);

    await steps.run('sort', async () => {
      await suite.loginInPage(page, user.username, user.password);
      await page.getByRole('button', { name: 'My files' }).click();
      await page.locator('#file-list tr', { hasText: 'c-big.txt' }).waitFor();
      expect(await names(page)).toEqual(['Alpha', 'Zeta', 'a-small.txt', 'b-mid.txt', 'c-big.txt']);
      await page.getByRole('button', { name: 'Size', exact: true }).click();
      expect(await page.locator('th[data-sort="size"]').getAttribute('aria-sort')).toBe('ascending');
      expect(await names(page)).toEqual(['Alpha', 'Zeta', 'a-small.txt', 'b-mid.txt', 'c-big.txt']);
      await page.getByRole('button', { name: 'Size', exact: true }).click();
      expect(await page.locator('th[data-sort="size"]').getAttribute('aria-sort')).toBe('descending');
      expect((await names(page)).slice(2)).toEqual(['c-big.txt', 'b-mid.txt', 'a-small.txt']);
      await page.getByRole('button', { name: 'Name', exact: true }).click();
      await page.getByRole('button', { name: 'Name', exact: true }).click();
      expect(await names(page)).toEqual(['Zeta', 'Alpha', 'c-big.txt', 'b-mid.txt', 'a-small.txt']);
    });

    await steps.run('bulk-move', async () => {
      // Keyboard: Space on a focused checkbox selects.
      await page.getByLabel('Select a-small.txt').focus();
      await page.keyboard.press('Space');
      await page.getByLabel('Select b-mid.txt').check();
      await page.locator('#bulk-count', { hasText: '2 items selected' }).waitFor();
      await page.getByRole('button', { name: 'Move selected…' }).click();
      const dialog = page.locator('#move-dialog');
      await dialog.getByRole('button', { name: 'Open Alpha' }).click();
      await dialog.locator('#move-dialog-where', { hasText: 'In Alpha' }).waitFor();
      await dialog.getByRole('button', { name: 'Move here' }).click();
      await page.locator('#message', { hasText: 'Moved 2 items to "Alpha"' }).waitFor();
      await t.http.get('/files/Alpha/a-small.txt').set(user.auth).expect(200);
      await t.http.get('/files/Alpha/b-mid.txt').set(user.auth).expect(200);
      expect(await names(page)).toEqual(['Zeta', 'Alpha', 'c-big.txt']);
      expect(await page.locator('#bulk-bar').isHidden()).toBe(true);
    });

    await steps.run('bulk-delete', async () => {
      await page.getByLabel('Select all').check();
      await page.locator('#bulk-count', { hasText: '3 items selected' }).waitFor();
      await page.getByRole('button', { name: 'Delete selected' }).click();
      await page.locator('#message', { hasText: 'Moved 3 items to the trash' }).waitFor();
      await page.locator('#files-empty').waitFor();
      const trash = (await t.http.get('/trash').set(user.auth).expect(200)).body as { path: string }[];
      expect(trash.map((item) => item.path).sort()).toEqual(['Alpha', 'Zeta', 'c-big.txt']);
    });

    await steps.run('drop-files', async () => {
      // A drop as the browser delivers it: a DataTransfer holding files, onto the table.
      await page.evaluate(() => {
        const g = globalThis as unknown as {
          DataTransfer: new () => { items: { add(file: unknown): void } };
          File: new (parts: string[], name: string, options: { type: string }) => unknown;
          DragEvent: new (type: string, init: unknown) => unknown;
          document: { querySelector(selector: string): { dispatchEvent(event: unknown): void } };
        };
        const data = new g.DataTransfer();
        data.items.add(new g.File(['dropped one'], 'one.txt', { type: 'text/plain' }));
        data.items.add(new g.File(['dropped two'], 'two.txt', { type: 'text/plain' }));
        const zone = g.document.querySelector('#drop-zone');
        zone.dispatchEvent(new g.DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
        zone.dispatchEvent(new g.DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      });
      await page.locator('#message', { hasText: 'Uploaded "one.txt" (version 1), "two.txt" (version 1)' }).waitFor();
      expect((await t.http.get('/files/two.txt').set(user.auth).expect(200)).text).toBe('dropped two');
      await page.locator('#file-list tr', { hasText: 'two.txt' }).waitFor();
    });

    await steps.run('upload-folder', async () => {
      const root = mkdtempSync(join(tmpdir(), 'cloudstash-folder-'));
      mkdirSync(join(root, 'album', 'day 1'), { recursive: true });
      writeFileSync(join(root, 'album', 'cover.txt'), 'cover');
      writeFileSync(join(root, 'album', 'day 1', 'photo.txt'), 'photo');
      await page.getByLabel('Or a whole folder').setInputFiles(join(root, 'album'));
      await page.getByRole('button', { name: 'Upload files' }).click();
      await page.locator('#message', { hasText: 'Uploaded' }).waitFor();
      expect((await t.http.get('/files/album/day%201/photo.txt').set(user.auth).expect(200)).text).toBe('photo');
      expect((await t.http.get('/files/album/cover.txt').set(user.auth).expect(200)).text).toBe('cover');
      await page.locator('#file-list').getByRole('button', { name: 'Open folder album' }).waitFor();
    });

    expect(errors).toEqual([]);
  });

  it('makes a public link with password and limit, which a visitor opens with the password; copies and revokes it', async () => {
    const user = await apiUser('lnk');
    await put(user.auth, 'report.txt', 'the report');
    const { page, errors } = await suite.openPage();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.base });
    const visitor = await suite.openPage();
    const steps = new Steps('links', () => [page, visitor.page]);
    const details = page.locator('#file-list tr.details');
    let url = '';

    await steps.run('create', async () => {
      await suite.loginInPage(page, user.username, user.password);
      await page.getByRole('button', { name: 'My files' }).click();
      await page.getByRole('button', { name: 'Details of report.txt' }).click();
      await details.locator('.links-none').waitFor();
      await details.getByLabel('Link password for report.txt (optional)').fill('visitor-secret');
      await details.getByLabel('Download limit (optional)').fill('2');
      await details.getByLabel('Expires on (optional)').fill(new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10));
      await details.getByRole('button', { name: 'Create link' }).click();
      await page.locator('#message', { hasText: 'Made a public link to "report.txt" and copied it' }).waitFor();
      const item = details.locator('.links li');
      await item.waitFor();
      expect(await item.textContent()).toContain('0 of 2 downloads');
      expect(await item.textContent()).toContain('password');
      url = (await item.locator('a.link-url').textContent()) ?? '';
      expect(url).toMatch(/\/s\/[A-Za-z0-9_-]{22,}$/);
      expect(await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText())).toBe(url);
      await details.getByRole('button', { name: 'Copy the link to report.txt' }).click();
      await page.locator('#message', { hasText: 'Copied the link' }).waitFor();
    });

    await steps.run('visitor', async () => {
      await visitor.page.goto(url);
      await visitor.page.getByRole('heading', { name: 'report.txt' }).waitFor();
      await visitor.page.getByLabel('This file is protected by a password').fill('wrong guess');
      await visitor.page.getByRole('button', { name: 'Download' }).click();
      await visitor.page.getByRole('alert').filter({ hasText: 'Wrong password' }).waitFor();
      await visitor.page.getByLabel('This file is protected by a password').fill('visitor-secret');
      const [download] = await Promise.all([visitor.page.waitForEvent('download'), visitor.page.getByRole('button', { name: 'Download' }).click()]);
      expect(download.suggestedFilename()).toBe('report.txt');
      expect(await readFile(await download.path(), 'utf8')).toBe('the report');
    });

    await steps.run('counted-and-revoked', async () => {
      await page.getByRole('button', { name: 'Details of report.txt' }).click();
      await page.getByRole('button', { name: 'Details of report.txt' }).click();
      await details.locator('.links li', { hasText: '1 of 2 downloads' }).waitFor();
      await details.getByRole('button', { name: /^Revoke the link to report.txt/ }).click();
      await page.locator('#message', { hasText: 'Link revoked' }).waitFor();
      await details.locator('.links-none').waitFor();
      const gone = await t.http.get(new URL(url).pathname).expect(404);
      expect(gone.body).toEqual({ error: 'Link not found' });
    });

    expect(errors).toEqual([]);
    expect(visitor.errors).toEqual([]);
  });

  it('lists the trash; restores to the old place, elsewhere when it is taken; deletes for good and empties', async () => {
    const user = await apiUser('trs');
    await put(user.auth, 'keep.txt', 'keep v1');
    await put(user.auth, 'docs/a.txt', 'a');
    await put(user.auth, 'gone.txt', 'gone');
    const { page, errors } = await suite.openPage();
    const steps = new Steps('trash', () => [page]);
    const trashRows = page.locator('#trash-list tr');

    await steps.run('delete-in-page', async () => {
      await suite.loginInPage(page, user.username, user.password);
      await page.getByRole('button', { name: 'My files' }).click();
      await page.getByRole('button', { name: 'Details of keep.txt' }).click();
      await page.getByRole('button', { name: 'Delete keep.txt' }).click();
      await page.locator('#message', { hasText: 'Moved "keep.txt" to the trash' }).waitFor();
      await t.http.delete('/folders/docs').set(user.auth).expect(204);
      await t.http.delete('/files/gone.txt').set(user.auth).expect(204);
      await page.getByRole('button', { name: 'Trash', exact: true }).click();
      await trashRows.nth(2).waitFor();
      expect(await trashRows.evaluateAll((rows) => rows.map((row) => (row as unknown as { dataset: { path: string } }).dataset.path))).toEqual(['gone.txt', 'docs', 'keep.txt']);
    });

    await steps.run('restore', async () => {
      await page.getByRole('button', { name: 'Restore docs' }).click();
      await page.locator('#message', { hasText: 'Restored "docs"' }).waitFor();
      expect((await t.http.get('/files/docs/a.txt').set(user.auth).expect(200)).text).toBe('a');
    });

    await steps.run('restore-elsewhere', async () => {
      await put(user.auth, 'keep.txt', 'a new keep');
      await page.getByRole('button', { name: 'Restore keep.txt' }).click();
      await page.getByLabel('Restore as (a path, folders joined by /)').fill('old/keep.txt');
      await page.getByRole('button', { name: 'Restore', exact: true }).click();
      await page.locator('#message', { hasText: 'Restored "old/keep.txt"' }).waitFor();
      expect((await t.http.get('/files/old/keep.txt').set(user.auth).expect(200)).text).toBe('keep v1');
      expect((await t.http.get('/files/keep.txt').set(user.auth).expect(200)).text).toBe('a new keep');
    });

    await steps.run('delete-forever-and-empty', async () => {
      await t.http.delete('/files/keep.txt').set(user.auth).expect(204);
      await page.getByRole('button', { name: 'Sounds' }).click();
      await page.getByRole('button', { name: 'Trash', exact: true }).click();
      await page.getByRole('button', { name: 'Delete gone.txt forever' }).click();
      await page.locator('#message', { hasText: 'Deleted "gone.txt" forever' }).waitFor();
      await page.getByRole('button', { name: 'Empty trash' }).click();
      await page.locator('#message', { hasText: 'The trash is empty' }).waitFor();
      await page.locator('#trash-none').waitFor();
      expect((await t.http.get('/trash').set(user.auth).expect(200)).body).toEqual([]);
    });

    expect(errors).toEqual([]);
  });

  it('gives admins a console: search and page users, set a quota, block with a reason, force a password change, end sessions, delete; the start-up admin is protected', async () => {
    const prefix = `adm${Date.now().toString(36).slice(-5)}`;
    const users: { username: string; password: string }[] = [];
    for (let i = 0; i < 21; i++) {
      const username = `${prefix}${String(i).padStart(2, '0')}`;
      await t.http.post('/register').send({ username, password: 'managed-password-1' }).expect(204);
      users.push({ username, password: 'managed-password-1' });
    }
    const target = users[0].username;
    const token = (await t.http.post('/login').send(users[0]).expect(200)).body.token as string;
    const { page, errors } = await suite.openPage();
    const steps = new Steps('admin', () => [page]);
    const list = page.locator('#admin-list');
    const panel = list.locator('.admin-panel');

    await steps.run('search-and-page', async () => {
      await suite.loginInPage(page, ADMIN.username, ADMIN.password);
      await page.getByRole('button', { name: 'Admin' }).click();
      await page.getByLabel('Search users by name').fill(prefix);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.locator('#admin-count', { hasText: '21 users' }).waitFor();
      expect(await list.locator('tr.user').count()).toBe(20);
      await page.getByRole('button', { name: 'Next' }).click();
      await page.locator('#admin-page', { hasText: 'Page 2 of 2' }).waitFor();
      expect(await list.locator('tr.user').count()).toBe(1);
      await page.getByRole('button', { name: 'Previous' }).click();
      await page.locator('#admin-page', { hasText: 'Page 1 of 2' }).waitFor();
    });

    await steps.run('quota', async () => {
      await list.getByRole('button', { name: `Manage ${target}` }).click();
      await panel.getByLabel(`Quota of ${target} in MB (empty: unlimited)`).fill('5');
      await panel.getByRole('button', { name: 'Save role and quota' }).click();
      await page.locator('#message', { hasText: `Saved ${target}'s role and quota` }).waitFor();
      await list.locator('tr.user', { hasText: target }).filter({ hasText: 'of 5.0 MB' }).waitFor();
    });

    await steps.run('block', async () => {
      await panel.getByLabel(`Reason for blocking ${target}`).fill('spam uploads');
      await panel.getByRole('button', { name: 'Block', exact: true }).click();
      await page.locator('#message', { hasText: `Blocked ${target}` }).waitFor();
      await list.locator('tr.user', { hasText: 'Blocked: spam uploads' }).waitFor();
      await t.http.get('/files').set('Authorization', `Bearer ${token}`).expect(403);
      await panel.getByRole('button', { name: 'Unblock' }).click();
      await page.locator('#message', { hasText: `Unblocked ${target}` }).waitFor();
    });

    await steps.run('force-and-end', async () => {
      const fresh = (await t.http.post('/login').send(users[1]).expect(200)).body.token as string;
      await list.getByRole('button', { name: `Manage ${users[1].username}` }).click();
      await panel.getByRole('button', { name: 'End sessions' }).click();
      await page.locator('#message', { hasText: `Ended every session of ${users[1].username}` }).waitFor();
      await t.http.get('/files').set('Authorization', `Bearer ${fresh}`).expect(403);
      await panel.getByRole('button', { name: 'Force a password change' }).click();
      await page.locator('#message', { hasText: `${users[1].username} must change their password` }).waitFor();
      await list.locator('tr.user', { hasText: users[1].username }).filter({ hasText: 'Must change password' }).waitFor();
    });

    await steps.run('delete', async () => {
      await list.getByRole('button', { name: `Manage ${users[2].username}` }).click();
      await panel.getByRole('button', { name: 'Delete user' }).click();
      await page.locator('#message', { hasText: `Deleted ${users[2].username}` }).waitFor();
      await page.locator('#admin-count', { hasText: '20 users' }).waitFor();
      await t.http.post('/login').send(users[2]).expect(403);
    });

    await steps.run('start-up-admin-protected', async () => {
      await page.getByLabel('Search users by name').fill(ADMIN.username);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await list.getByRole('button', { name: `Manage ${ADMIN.username}` }).click();
      await panel.locator('.startup-note', { hasText: 'cannot be deleted, demoted or blocked' }).waitFor();
      expect(await panel.getByRole('button', { name: 'Delete user' }).isDisabled()).toBe(true);
      expect(await panel.getByRole('button', { name: 'Block', exact: true }).isDisabled()).toBe(true);
      expect(await panel.getByLabel(`Role of ${ADMIN.username}`).isDisabled()).toBe(true);
      // Its quota can still be set.
      await panel.getByLabel(`Quota of ${ADMIN.username} in MB (empty: unlimited)`).fill('100');
      await panel.getByRole('button', { name: 'Save role and quota' }).click();
      await page.locator('#message', { hasText: `Saved ${ADMIN.username}'s role and quota` }).waitFor();
    });

    expect(errors).toEqual([]);
  });

  it('hides the admin console from other users, and fits a phone: 390 px wide with nothing running off the side', async () => {
    const user = await apiUser('phn');
    await put(user.auth, 'a rather long file name for a small screen.txt', 'x');
    const { page, errors } = await suite.openPage({ width: 390, height: 844 });
    const steps = new Steps('phone', () => [page]);
    const overflow = () => page.evaluate(() => {
      const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return d.scrollWidth - d.clientWidth;
    });
    await steps.run('views', async () => {
      await suite.loginInPage(page, user.username, user.password);
      expect(await page.locator('#tab-admin').isHidden()).toBe(true);
      expect(await overflow()).toBeLessThanOrEqual(0);
      await page.getByRole('button', { name: 'My files' }).click();
      await page.getByRole('button', { name: /^Details of a rather long/ }).click();
      await page.locator('#file-list .versions li').waitFor();
      expect(await overflow()).toBeLessThanOrEqual(0);
      for (const view of ['Trash', 'Account']) {
        await page.getByRole('button', { name: view, exact: true }).click();
        expect(await overflow()).toBeLessThanOrEqual(0);
      }
    });
    expect(errors).toEqual([]);
  });
});
