import { Page } from 'playwright-core';
import { makeWav } from '../support/audio';
import { ADMIN, TestApp } from '../support/test-app';
import { loginAdmin, LoggedInUser, newUser } from '../support/users';
import { BrowserSuite, hasChromium, startBrowserSuite, Steps } from './browser';

const describeInChromium = hasChromium ? describe : describe.skip;

/** What a person meets walking through the page: the words it says, and when it says them. */
describeInChromium('the web page, walked through as a person', () => {
  let suite: BrowserSuite;
  let t: TestApp;
  let admin: LoggedInUser;
  beforeAll(async () => {
    suite = await startBrowserSuite();
    t = suite.t;
    admin = await loginAdmin(t.http);
  });
  afterAll(() => suite?.close());

  const put = (user: LoggedInUser, path: string, body: string) => t.http.put(`/files/${path}`).set(user.auth).set('Content-Type', 'text/plain').send(body).expect(201);
  const block = (user: LoggedInUser, reason: string) => t.http.patch(`/admin/users/${user.username}`).set(admin.auth).send({ blockLogin: true, blockLoginReason: reason }).expect(200);
  const message = (page: Page) => page.locator('#message');
  async function fillLogin(page: Page, user: LoggedInUser): Promise<void> {
    await page.getByLabel('Username', { exact: true }).fill(user.username);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
  }

  it('tells a blocked user why the login is refused, in the server’s words', async () => {
    const user = await newUser(t.http, 'blk');
    await block(user, 'spam uploads');
    const { page, errors } = await suite.openPage();
    const steps = new Steps('blocked-login', () => [page]);
    await steps.run('login', async () => {
      await page.goto(`${suite.base}/app/`);
      await fillLogin(page, user);
      await message(page).filter({ hasText: 'Login blocked: spam uploads.' }).waitFor();
      expect(await message(page).textContent()).not.toContain('Wrong username or password');
    });
    // A wrong password still reads as one.
    await steps.run('wrong-password', async () => {
      await fillLogin(page, { ...user, username: 'nosuchuser9' });
      await message(page).filter({ hasText: 'Wrong username or password.' }).waitFor();
    });
    expect(errors).toEqual([]);
  });

  it('goes back to the login form, saying so, when the session ends under it (a block); logging in again gives the reason', async () => {
    const user = await newUser(t.http, 'blkl');
    await put(user, 'mine.txt', 'mine');
    const { page, errors } = await suite.openPage();
    const steps = new Steps('blocked-while-in', () => [page]);
    await steps.run('in', async () => {
      await suite.loginInPage(page, user.username, user.password);
      await page.getByRole('button', { name: 'My files' }).click();
      await page.locator('#file-list tr', { hasText: 'mine.txt' }).waitFor();
    });
    await steps.run('blocked', async () => {
      await block(user, 'spam uploads');
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.locator('#who-text', { hasText: 'Not logged in' }).waitFor();
      await page.locator('#account').waitFor({ state: 'visible' });
      await page.locator('#files-login').waitFor({ state: 'visible' });
      // The refusal said why the session ended: the page says it at once.
      await message(page).filter({ hasText: 'You are logged out. Login blocked: spam uploads' }).waitFor();
      expect(await message(page).textContent()).not.toContain('Session token');
    });
    await steps.run('login-again', async () => {
      await fillLogin(page, user);
      await message(page).filter({ hasText: 'Login blocked: spam uploads.' }).waitFor();
    });
    expect(errors).toEqual([]);
  });

  it('shows a browser a page, not JSON, for an unknown or used-up link; JSON clients still get JSON', async () => {
    const owner = await newUser(t.http, 'dead');
    await put(owner, 'once.txt', 'only once');
    const link = (await t.http.post('/links').set(owner.auth).send({ path: 'once.txt', maxDownloads: 1 }).expect(201)).body as { url: string };
    await t.http.get(link.url).expect(200);
    const { page, errors } = await suite.openPage();
    const steps = new Steps('dead-link', () => [page]);
    for (const [name, path] of [
      ['used-up', link.url],
      ['unknown', `/s/${'A'.repeat(32)}`],
    ]) {
      await steps.run(name, async () => {
        const response = await page.goto(`${suite.base}${path}`);
        expect(response?.status()).toBe(404);
        expect(response?.headers()['content-type']).toMatch(/^text\/html/);
        await page.getByRole('heading', { name: 'This link is no longer available' }).waitFor();
        expect(await page.content()).not.toContain('{"error"');
      });
    }
    expect((await t.http.get(link.url).expect(404)).body).toEqual({ error: 'Link not found' });
    expect(errors).toEqual([]);
  });

  it('clears old messages: the link page’s "Wrong password" after the right one, an app error at the next action', async () => {
    const owner = await newUser(t.http, 'msg');
    await put(owner, 'plan.txt', 'the plan');
    const link = (await t.http.post('/links').set(owner.auth).send({ path: 'plan.txt', password: 'right-secret' }).expect(201)).body as { url: string };
    const visitor = await suite.openPage();
    const { page, errors } = await suite.openPage();
    const steps = new Steps('old-messages', () => [visitor.page, page]);

    await steps.run('link-password', async () => {
      await visitor.page.goto(`${suite.base}${link.url}`);
      await visitor.page.getByLabel('This file is protected by a password').fill('wrong guess');
      await visitor.page.getByRole('button', { name: 'Download' }).click();
      const alert = visitor.page.getByRole('alert').filter({ hasText: 'Wrong password' });
      await alert.waitFor();
      await visitor.page.getByLabel('This file is protected by a password').fill('right-secret');
      const [download] = await Promise.all([visitor.page.waitForEvent('download'), visitor.page.getByRole('button', { name: 'Download' }).click()]);
      expect(download.suggestedFilename()).toBe('plan.txt');
      expect(await alert.isVisible()).toBe(false);
    });

    await steps.run('app-error-then-other-action', async () => {
      await suite.loginInPage(page, owner.username, owner.password);
      await page.getByRole('button', { name: 'My files' }).click();
      await page.getByRole('button', { name: 'Details of plan.txt' }).click();
      const details = page.locator('#file-list tr.details');
      await details.getByLabel('Share plan.txt with user').fill('nosuchuser1');
      await details.getByRole('button', { name: 'Share', exact: true }).click();
      await message(page).filter({ hasText: 'There is no user called "nosuchuser1"' }).waitFor();
      // Sorting is another action: the old error is not about it.
      await page.getByRole('button', { name: 'Size', exact: true }).click();
      await message(page).waitFor({ state: 'hidden' });
    });
    expect(errors).toEqual([]);
    expect(visitor.errors).toEqual([]);
  });

  it('marks a file "Shared" in the table as soon as it is shared, and unmarks it when the share ends', async () => {
    const owner = await newUser(t.http, 'shr');
    const friend = await newUser(t.http, 'shf');
    await put(owner, 'notes.txt', 'notes');
    const { page, errors } = await suite.openPage();
    const steps = new Steps('shared-column', () => [page]);
    const cell = page.locator('#file-list tr.file[data-name="notes.txt"] .col-shared');
    const details = page.locator('#file-list tr.details');
    await steps.run('share', async () => {
      await suite.loginInPage(page, owner.username, owner.password);
      await page.getByRole('button', { name: 'My files' }).click();
      await page.getByRole('button', { name: 'Details of notes.txt' }).click();
      expect(await cell.textContent()).toBe('');
      await details.getByLabel('Share notes.txt with user').fill(friend.username);
      await details.getByRole('button', { name: 'Share', exact: true }).click();
      await message(page).filter({ hasText: `Shared "notes.txt" with ${friend.username}` }).waitFor();
      await page.locator('#file-list tr.file[data-name="notes.txt"] .col-shared', { hasText: 'Shared' }).waitFor();
    });
    await steps.run('unshare', async () => {
      await details.getByRole('button', { name: `Stop sharing notes.txt with ${friend.username}` }).click();
      await message(page).filter({ hasText: 'is no longer shared' }).waitFor();
      await page.locator('#file-list tr.file[data-name="notes.txt"] .col-shared', { hasText: /^$/ }).waitFor();
    });
    expect(errors).toEqual([]);
  });

  it('says "Renamed" for a rename and "Moved" for a move', async () => {
    const owner = await newUser(t.http, 'ren');
    await put(owner, 'draft.txt', 'draft');
    await t.http.post('/folders/Done').set(owner.auth).expect(201);
    const { page, errors } = await suite.openPage();
    const steps = new Steps('rename', () => [page]);
    await steps.run('rename', async () => {
      await suite.loginInPage(page, owner.username, owner.password);
      await page.getByRole('button', { name: 'My files' }).click();
      await page.getByRole('button', { name: 'Details of draft.txt' }).click();
      await page.getByRole('button', { name: 'Rename draft.txt' }).click();
      await page.getByLabel('New name').fill('final.txt');
      await page.getByRole('button', { name: 'Rename', exact: true }).click();
      await message(page).filter({ hasText: 'Renamed "draft.txt" to "final.txt".' }).waitFor();
    });
    await steps.run('move', async () => {
      await page.locator('#file-list tr.file', { hasText: 'final.txt' }).dragTo(page.locator('#file-list tr.folder', { hasText: 'Done' }));
      await message(page).filter({ hasText: 'Moved "final.txt" to "Done/final.txt".' }).waitFor();
    });
    expect(errors).toEqual([]);
  });

  it("updates a link's download count on the owner's page while its details are open", async () => {
    const owner = await newUser(t.http, 'cnt');
    await put(owner, 'song.txt', 'la la');
    const link = (await t.http.post('/links').set(owner.auth).send({ path: 'song.txt', maxDownloads: 5 }).expect(201)).body as { url: string };
    const { page, errors } = await suite.openPage();
    const steps = new Steps('download-count', () => [page]);
    const details = page.locator('#file-list tr.details');
    await steps.run('open', async () => {
      await suite.loginInPage(page, owner.username, owner.password);
      await page.getByRole('button', { name: 'My files' }).click();
      await page.getByRole('button', { name: 'Details of song.txt' }).click();
      await details.locator('.links li', { hasText: '0 of 5 downloads' }).waitFor();
    });
    await steps.run('downloaded-elsewhere', async () => {
      await t.http.get(link.url).expect(200);
      await t.http.get(link.url).expect(200);
      await details.locator('.links li', { hasText: '2 of 5 downloads' }).waitFor({ timeout: 15_000 });
    });
    expect(errors).toEqual([]);
  });

  it('gives a sound one length in the list and in the player: 2.5 s is 0:02, as the player says', async () => {
    const owner = await newUser(t.http, 'len');
    const title = `Half ${owner.username}`;
    await t.http.post('/sounds').set(owner.auth).attach('file', makeWav(2.5), 'half.wav').field('title', title).expect(201);
    const { page, errors } = await suite.openPage();
    const steps = new Steps('duration', () => [page]);
    await steps.run('listed', async () => {
      await page.goto(`${suite.base}/app/`);
      const item = page.locator('#sound-list li', { hasText: title });
      await item.waitFor();
      // The rule for the server's length, before the player has read its own.
      expect(await page.evaluate("import('/app/js/ui.js').then((ui) => ui.formatDuration(2.5))")).toBe('0:02');
      await page.waitForFunction((name) => {
        const { document } = globalThis as unknown as { document: { querySelectorAll(selector: string): ArrayLike<{ textContent: string; querySelector(s: string): { duration: number } }> } };
        const li = Array.from(document.querySelectorAll('#sound-list li')).find((el) => el.textContent.includes(name));
        return li !== undefined && Number.isFinite(li.querySelector('audio').duration);
      }, title);
      expect(await item.locator('.sound-meta').textContent()).toContain(`${owner.username} · 0:02 ·`);
    });
    expect(errors).toEqual([]);
  });

  it('asks before blocking a user, as before every other destructive action', async () => {
    const target = await newUser(t.http, 'cnf');
    const { page, errors } = await suite.openPage();
    const asked: string[] = [];
    page.on('dialog', (dialog) => asked.push(dialog.message()));
    const steps = new Steps('block-confirm', () => [page]);
    const panel = page.locator('#admin-list .admin-panel');
    await steps.run('block', async () => {
      await suite.loginInPage(page, ADMIN.username, ADMIN.password);
      await page.getByRole('button', { name: 'Admin' }).click();
      await page.getByLabel('Search users by name').fill(target.username);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByRole('button', { name: `Manage ${target.username}` }).click();
      await panel.getByLabel(`Reason for blocking ${target.username}`).fill('spam uploads');
      await panel.getByRole('button', { name: 'Block', exact: true }).click();
      await message(page).filter({ hasText: `Blocked ${target.username}` }).waitFor();
      expect(asked).toEqual([expect.stringContaining(`Block ${target.username}?`)]);
    });
    expect(errors).toEqual([]);
  });

  const appPasswordWorks = (user: LoggedInUser, secret: string) =>
    t.http
      .propfind('/dav/')
      .set('Authorization', `Basic ${Buffer.from(`${user.username}:${secret}`).toString('base64')}`)
      .set('Depth', '0')
      .then((res) => res.status === 207);
  const sessionWorks = (token: string) =>
    t.http
      .get('/')
      .set('Authorization', `Bearer ${token}`)
      .then((res) => res.status === 200 && typeof res.body.id === 'number');

  it('offers, unchecked, to revoke every app password with a password change, and says what it did', async () => {
    const user = await newUser(t.http, 'pwa');
    const secrets: string[] = [];
    for (const name of ['rclone on my laptop', 'phone']) {
      secrets.push((await t.http.post('/auth/app-passwords').set(user.auth).send({ name }).expect(201)).body.password as string);
    }
    const { page, errors } = await suite.openPage();
    const steps = new Steps('password-revokes-app-passwords', () => [page]);
    const revokeToo = page.getByLabel('Also revoke all app passwords (sync apps and phones must be set up again)');
    const changePassword = async (current: string, next: string) => {
      await page.getByLabel('Current password').fill(current);
      await page.getByLabel('New password', { exact: true }).fill(next);
      await page.getByRole('button', { name: 'Change password' }).click();
    };
    await steps.run('account', async () => {
      await suite.loginInPage(page, user.username, user.password);
      await page.getByRole('button', { name: 'Account' }).click();
      await page.locator('#app-password-list li', { hasText: 'phone' }).waitFor();
      expect(await revokeToo.isChecked()).toBe(false);
    });
    await steps.run('change-only', async () => {
      await changePassword(user.password, 'second-password-1');
      await message(page).filter({ hasText: 'Password changed.' }).waitFor();
      expect(await message(page).textContent()).toContain('Your app passwords still work.');
      expect(await page.locator('#app-password-list li').count()).toBe(2);
      expect(await appPasswordWorks(user, secrets[0])).toBe(true);
    });
    await steps.run('wrong-current-password', async () => {
      await revokeToo.check();
      await changePassword('not-my-password', 'third-password-1');
      await message(page).filter({ hasText: 'Could not change the password' }).waitFor();
      expect(await message(page).textContent()).toContain('Your app passwords were not revoked.');
      expect(await page.locator('#app-password-list li').count()).toBe(2);
      expect(await appPasswordWorks(user, secrets[1])).toBe(true);
    });
    await steps.run('change-and-revoke', async () => {
      expect(await revokeToo.isChecked()).toBe(true);
      await changePassword('second-password-1', 'third-password-1');
      await message(page).filter({ hasText: 'Password changed.' }).waitFor();
      expect(await message(page).textContent()).toContain('All your app passwords are revoked');
      await page.locator('#app-passwords-empty').waitFor();
      expect(await page.locator('#app-password-list li').count()).toBe(0);
      expect(await appPasswordWorks(user, secrets[0])).toBe(false);
      expect(await appPasswordWorks(user, secrets[1])).toBe(false);
      expect(await revokeToo.isChecked()).toBe(false);
      await page.locator('#who-text', { hasText: `Logged in as ${user.username}` }).waitFor();
    });
    expect(errors).toEqual([]);
  });

  it('asks before ending sessions ("Log out everywhere else", "End session", the admin\'s "End sessions"); a no ends nothing', async () => {
    const user = await newUser(t.http, 'ses');
    const fromRclone = (await t.http.post('/login').set('User-Agent', 'rclone/v1.60').send({ username: user.username, password: user.password }).expect(200)).body.token as string;
    const fromCurl = (await t.http.post('/login').set('User-Agent', 'curl/8.5').send({ username: user.username, password: user.password }).expect(200)).body.token as string;
    const { page, errors } = await suite.openPage();
    // This test answers each question itself instead of the suite's yes to every confirm().
    page.removeAllListeners('dialog');
    const asked: string[] = [];
    let answer = false;
    page.on('dialog', (dialog) => {
      asked.push(dialog.message());
      void (answer ? dialog.accept() : dialog.dismiss());
    });
    const steps = new Steps('sessions-confirm', () => [page]);
    const sessionItem = (agent: string) => page.locator('#session-list li', { hasText: agent });

    await steps.run('account', async () => {
      await suite.loginInPage(page, user.username, user.password);
      await page.getByRole('button', { name: 'Account' }).click();
      await sessionItem('rclone').waitFor();
      await sessionItem('curl').waitFor();
    });
    await steps.run('end-one-declined', async () => {
      await sessionItem('rclone').getByRole('button', { name: /^End the session/ }).click();
      expect(asked).toEqual([expect.stringContaining('End the session of rclone')]);
      expect(await message(page).isVisible()).toBe(false);
      expect(await sessionWorks(fromRclone)).toBe(true);
      expect(await sessionItem('rclone').count()).toBe(1);
    });
    await steps.run('end-one', async () => {
      answer = true;
      await sessionItem('rclone').getByRole('button', { name: /^End the session/ }).click();
      await message(page).filter({ hasText: 'Session ended.' }).waitFor();
      await sessionItem('rclone').waitFor({ state: 'detached' });
      expect(await sessionWorks(fromRclone)).toBe(false);
      expect(await sessionWorks(fromCurl)).toBe(true);
    });
    await steps.run('everywhere-else-declined', async () => {
      answer = false;
      asked.length = 0;
      await page.getByRole('button', { name: 'Log out everywhere else' }).click();
      expect(asked).toEqual([expect.stringContaining('Log out everywhere else?')]);
      expect(await message(page).isVisible()).toBe(false);
      expect(await sessionWorks(fromCurl)).toBe(true);
    });
    await steps.run('everywhere-else', async () => {
      answer = true;
      await page.getByRole('button', { name: 'Log out everywhere else' }).click();
      await message(page).filter({ hasText: 'Logged out everywhere else.' }).waitFor();
      await sessionItem('curl').waitFor({ state: 'detached' });
      expect(await sessionWorks(fromCurl)).toBe(false);
      await page.locator('#who-text', { hasText: `Logged in as ${user.username}` }).waitFor();
    });

    const again = (await t.http.post('/login').send({ username: user.username, password: user.password }).expect(200)).body.token as string;
    const panel = page.locator('#admin-list .admin-panel');
    await steps.run('admin-declined', async () => {
      await page.getByRole('button', { name: 'Log out', exact: true }).click();
      await suite.loginInPage(page, ADMIN.username, ADMIN.password);
      await page.getByRole('button', { name: 'Admin' }).click();
      await page.getByLabel('Search users by name').fill(user.username);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByRole('button', { name: `Manage ${user.username}` }).click();
      answer = false;
      asked.length = 0;
      await panel.getByRole('button', { name: 'End sessions' }).click();
      expect(asked).toEqual([expect.stringContaining(`End every session of ${user.username}?`)]);
      expect(await message(page).isVisible()).toBe(false);
      expect(await sessionWorks(again)).toBe(true);
    });
    await steps.run('admin', async () => {
      answer = true;
      await panel.getByRole('button', { name: 'End sessions' }).click();
      await message(page).filter({ hasText: `Ended every session of ${user.username}` }).waitFor();
      expect(await sessionWorks(again)).toBe(false);
    });
    expect(errors).toEqual([]);
  });
});
