// `npm run screenshots`: every view of the web page at desktop (1280 px) and phone (390 px)
// width, written to screenshots/ (or SCREENSHOTS_DIR) for people to look at. It starts the built server on a free
// port with its own SQLite database and data folder, fills it with a few users, files, a sound,
// links and trash through the API, then drives Debian's Chromium through each view.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { freePort, log, processes } from '../bench/support.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = process.env.SCREENSHOTS_DIR || join(ROOT, 'screenshots');
const ADMIN = { username: 'admin', password: 'admin-password-1' };
const WIDTHS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };

/** A short WAV tone: something the sound list can play and measure. */
function wav(seconds) {
  const rate = 8000;
  const samples = Math.round(seconds * rate);
  const buffer = Buffer.alloc(44 + samples);
  buffer.write('RIFF', 0);
  buffer.writeUInt32LE(36 + samples, 4);
  buffer.write('WAVEfmt ', 8);
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20);
  buffer.writeUInt16LE(1, 22);
  buffer.writeUInt32LE(rate, 24);
  buffer.writeUInt32LE(rate, 28);
  buffer.writeUInt16LE(1, 32);
  buffer.writeUInt16LE(8, 34);
  buffer.write('data', 36);
  buffer.writeUInt32LE(samples, 40);
  for (let i = 0; i < samples; i++) buffer[44 + i] = 128 + Math.round(60 * Math.sin((2 * Math.PI * 440 * i) / rate));
  return buffer;
}

async function seed(base) {
  const call = async (method, path, { token, json, body, headers = {} } = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(json ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: json ? JSON.stringify(json) : body,
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.headers.get('content-type')?.includes('json') ? res.json() : null;
  };
  const login = async (username, password) => (await call('POST', '/login', { json: { username, password } })).token;
  for (const name of ['alice', 'bob', 'carol', 'dave']) await call('POST', '/register', { json: { username: name, password: `${name}-password-1` } });
  const alice = await login('alice', 'alice-password-1');
  const bob = await login('bob', 'bob-password-1');
  const put = (path, text) => call('PUT', `/files/${path}`, { token: alice, body: text, headers: { 'Content-Type': 'text/plain' } });
  await put('Projects/roadmap.md', '# Roadmap\n');
  await put('Projects/budget.csv', 'item,cost\n'.repeat(300));
  await put('Photos/2024/beach.txt', 'sand');
  await put('notes.txt', 'first draft');
  await put('notes.txt', 'second draft, longer');
  await put('report.pdf', 'x'.repeat(180_000));
  await put('old-ideas.txt', 'nothing good');
  await call('DELETE', '/files/old-ideas.txt', { token: alice });
  await put('Drafts/a.txt', 'a');
  await call('DELETE', '/folders/Drafts', { token: alice });
  const bobId = (await call('GET', '/directory/users/bob', { token: alice })).id;
  const notesId = (await call('GET', '/files/notes.txt/id', { token: alice })).id;
  await call('POST', '/share', { token: alice, json: { file_id: notesId, user_destination_id: bobId } });
  const open = await call('POST', '/links', { token: alice, json: { path: 'report.pdf', maxDownloads: 10 } });
  const locked = await call('POST', '/links', { token: alice, json: { path: 'notes.txt', password: 'let-me-in' } });
  const form = new FormData();
  form.append('title', 'Morning birds');
  form.append('file', new Blob([wav(3)], { type: 'audio/wav' }), 'birds.wav');
  await call('POST', '/sounds', { token: bob, body: form });
  return { open: open.url, locked: locked.url };
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'cloudstash-shots-'));
  const { start, stop, waitUntilUp } = processes(work);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = start('server', process.execPath, [join(ROOT, 'dist', 'main.js')], {
    env: { ...process.env, PORT: String(port), DATA_DIR: join(work, 'data'), ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, LOG_LEVEL: 'warn' },
  });
  await waitUntilUp(`${base}/health`, server, 'server');
  const links = await seed(base);
  mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const written = [];
  try {
    for (const [size, viewport] of Object.entries(WIDTHS)) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (error) => errors.push(error.message));
      const shot = async (name) => {
        const file = join(OUT, `${name}-${size}.png`);
        await page.screenshot({ path: file, fullPage: true });
        written.push(file);
      };
      const loginAs = async (username, password) => {
        await page.goto(`${base}/app/`);
        await page.getByLabel('Username', { exact: true }).fill(username);
        await page.getByLabel('Password', { exact: true }).fill(password);
        await page.getByRole('button', { name: 'Log in' }).click();
        await page.locator('#who-text', { hasText: `Logged in as ${username}` }).waitFor();
      };

      await page.goto(`${base}/app/`);
      await page.locator('#sound-list li').first().waitFor();
      await page.waitForFunction(() => [...document.querySelectorAll('#sound-list audio')].every((audio) => audio.readyState >= 1));
      await shot('01-sounds');
      await loginAs('alice', 'alice-password-1');
      await page.getByRole('button', { name: 'My files' }).click();
      await page.locator('#file-list tr', { hasText: 'report.pdf' }).waitFor();
      await shot('02-files');
      await page.getByLabel('Select report.pdf').check();
      await page.getByLabel('Select Photos').check();
      await shot('03-files-selected');
      await page.getByRole('button', { name: 'Clear selection' }).click();
      await page.getByRole('button', { name: 'Details of notes.txt' }).click();
      await page.locator('#file-list .versions li', { hasText: 'Version 1' }).waitFor();
      await page.locator('#file-list .shares li', { hasText: 'bob' }).waitFor();
      await shot('04-file-details');
      await page.getByRole('button', { name: 'Trash' }).click();
      await page.locator('#trash-list tr').first().waitFor();
      await shot('05-trash');
      await page.getByRole('button', { name: 'Account' }).click();
      await page.locator('#session-list li').first().waitFor();
      await shot('06-account');
      await page.getByRole('button', { name: 'Log out', exact: true }).click();
      await loginAs(ADMIN.username, ADMIN.password);
      await page.getByRole('button', { name: 'Admin' }).click();
      await page.locator('#admin-list tr', { hasText: 'alice' }).waitFor();
      await page.getByRole('button', { name: 'Manage alice' }).click();
      await page.locator('#admin-list .admin-panel').waitFor();
      await shot('07-admin');
      await page.goto(`${base}${links.open}`);
      await shot('08-link');
      await page.goto(`${base}${links.locked}`);
      await shot('09-link-password');
      if (errors.length > 0) throw new Error(`script errors at ${size} width: ${errors.join('; ')}`);
      await context.close();
    }
  } finally {
    await browser.close();
    await stop(server);
  }
  log(`wrote ${written.length} screenshots to ${OUT}`);
}

await main();
