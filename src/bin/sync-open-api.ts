import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createApp } from '../app-factory';
import { loadConfig } from '../config/app-config';
import { buildOpenApiDocument, openApiJson } from '../openapi';

/**
 * Writes `openapi.json` at the repository root from the code (`npm run openapi`). The e2e suite
 * fails while the committed file differs from what the code would generate.
 */
async function main(): Promise<void> {
  const target = resolve(process.argv[2] ?? 'openapi.json');
  const dataDir = mkdtempSync(join(tmpdir(), 'cloudstash-openapi-'));
  try {
    // A throwaway embedded app: the document depends on the code only, never on the environment.
    const app = await createApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', JWT_SECRET: 'openapi-generation-only-secret' }));
    try {
      writeFileSync(target, openApiJson(buildOpenApiDocument(app)));
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.stdout.write(`wrote ${target}\n`);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
