import { existsSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { Browser, chromium } from 'playwright-core';
import { startTestApp, TestApp } from '../support/test-app';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function directives(csp: string): Map<string, string> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values.join(' ')]));
}

describe('security headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('every answer', () => {
    it('carries helmet headers and a same-origin CSP without inline script', async () => {
      const res = await t.http.get('/health').expect(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['x-powered-by']).toBeUndefined();
      const csp = directives(res.headers['content-security-policy']);
      expect(csp.get('default-src')).toBe("'self'");
      expect(csp.get('script-src')).toBe("'self'");
      expect(csp.get('media-src')).toContain("'self'");
      expect(csp.get('connect-src')).toBe("'self'");
      expect(csp.get('frame-ancestors')).toBe("'none'");
      expect(csp.has('upgrade-insecure-requests')).toBe(false);
    });

    it('is on error answers too', async () => {
      const res = await t.http.get('/no-such-route').expect(404);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    });
  });

  describe('GET /docs', () => {
    it('gets a policy that allows Swagger UI inline styles but still no inline script', async () => {
      const res = await t.http.get('/docs/').expect(200);
      const csp = directives(res.headers['content-security-policy']);
      expect(csp.get('style-src')).toContain("'unsafe-inline'");
      expect(csp.get('script-src')).toBe("'self'");
    });

    (existsSync(CHROMIUM) ? it : it.skip)('renders the operations in a real Chromium without a CSP violation', async () => {
      const port = (t.app.getHttpServer().address() as AddressInfo).port;
      let browser: Browser | undefined;
      try {
        browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
        const page = await browser.newPage();
        const violations: string[] = [];
        page.on('console', (msg) => {
          if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
        });
        await page.goto(`http://127.0.0.1:${port}/docs`);
        await page.waitForSelector('.opblock-summary-path', { timeout: 15_000 });
        expect(await page.locator('.opblock').count()).toBeGreaterThan(5);
        expect(violations).toEqual([]);
      } finally {
        await browser?.close();
      }
    });
  });

  describe('CORS', () => {
    it('allows no other origin by default', async () => {
      const res = await t.http.get('/health').set('Origin', 'https://elsewhere.example').expect(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('allows the origins listed in CORS_ORIGINS, with credentials, and no others', async () => {
      const cors = await startTestApp({ CORS_ORIGINS: 'https://app.example.com, https://other.example.com' });
      try {
        const preflight = await cors.http
          .options('/files')
          .set('Origin', 'https://app.example.com')
          .set('Access-Control-Request-Method', 'GET')
          .set('Access-Control-Request-Headers', 'x-session');
        expect(preflight.status).toBe(204);
        expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example.com');
        expect(preflight.headers['access-control-allow-credentials']).toBe('true');
        expect(preflight.headers['access-control-allow-headers']).toMatch(/x-session/i);

        const res = await cors.http.get('/health').set('Origin', 'https://other.example.com').expect(200);
        expect(res.headers['access-control-allow-origin']).toBe('https://other.example.com');
        expect(res.headers['access-control-expose-headers']).toMatch(/X-Request-Id/);

        const refused = await cors.http.get('/health').set('Origin', 'https://evil.example').expect(200);
        expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      } finally {
        await cors.close();
      }
    });
  });
});
