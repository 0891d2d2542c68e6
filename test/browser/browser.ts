import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AddressInfo } from 'node:net';
import { Browser, BrowserContext, chromium, ConsoleMessage, Page } from 'playwright-core';
import { startTestApp, TestApp } from '../support/test-app';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // The test presses play from script, not with a real click.
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/**
 * Collects what would show as a script error in the console. "Failed to load resource" lines
 * are the browser reporting an HTTP error answer that the page expected and showed in words
 * (a 415 for a text file), not a script error.
 */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(`console: ${message.text()}`);
  });
  return errors;
}

/**
 * Runs a scenario step by step with a screenshot after each; when a step fails, every
 * screenshot taken so far and one of the failing state go to test-artifacts/.
 */
export class Steps {
  private readonly shots: { name: string; png: Buffer }[] = [];

  constructor(
    private readonly scenario: string,
    private readonly pages: () => Page[],
  ) {}

  async run(name: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
      for (const [i, page] of this.pages().entries()) this.shots.push({ name: `${name}-${i}`, png: await page.screenshot({ fullPage: true }) });
    } catch (error) {
      await this.save(name);
      throw error;
    }
  }

  private async save(failed: string): Promise<void> {
    const dir = join(ARTIFACTS, this.scenario.replace(/[^a-z0-9]+/gi, '-'));
    mkdirSync(dir, { recursive: true });
    this.shots.forEach((shot, i) => writeFileSync(join(dir, `${String(i + 1).padStart(2, '0')}-${shot.name}.png`), shot.png));
    for (const [i, page] of this.pages().entries()) {
      try {
        writeFileSync(join(dir, `failed-${failed}-${i}.png`), await page.screenshot({ fullPage: true }));
      } catch {
        // The page may be gone; the earlier screenshots are still saved.
      }
    }
  }
}

/** A real app and a Chromium for one spec file; pages come with a console watch and a yes to every confirm(). */
export interface BrowserSuite {
  t: TestApp;
  base: string;
  openPage(viewport?: { width: number; height: number }): Promise<{ page: Page; errors: string[] }>;
  /** Registers through the page's form and waits until it says who is logged in. */
  registerInPage(page: Page, username: string, password: string): Promise<void>;
  loginInPage(page: Page, username: string, password: string): Promise<void>;
  close(): Promise<void>;
}

export async function startBrowserSuite(overrides: Record<string, string | undefined> = {}): Promise<BrowserSuite> {
  const t = await startTestApp(overrides);
  const { port } = (t.app.getHttpServer() as import('node:http').Server).address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  async function fillAndSubmit(page: Page, username: string, password: string, button: string): Promise<void> {
    await page.goto(`${base}/`);
    await page.waitForURL(`${base}/app/`);
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: button, exact: true }).click();
    await page.locator('#who-text', { hasText: `Logged in as ${username}` }).waitFor();
  }
  return {
    t,
    base,
    async openPage(viewport = { width: 1100, height: 900 }) {
      const context = await browser.newContext({ acceptDownloads: true, viewport });
      contexts.push(context);
      const page = await context.newPage();
      const errors = watchConsole(page);
      page.on('dialog', (dialog) => void dialog.accept());
      return { page, errors };
    },
    registerInPage: (page, username, password) => fillAndSubmit(page, username, password, 'Register'),
    loginInPage: (page, username, password) => fillAndSubmit(page, username, password, 'Log in'),
    async close() {
      for (const context of contexts) await context.close();
      await browser.close();
      await t.close();
    },
  };
}
