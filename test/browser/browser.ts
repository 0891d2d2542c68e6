import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, ConsoleMessage, Page } from 'playwright-core';

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
