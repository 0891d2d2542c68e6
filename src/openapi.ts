import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { SECURITY_SCHEMES } from './auth/guards/access.decorators';
import { publicDir } from './web/web-page.middleware';

/** The version in package.json (next to public/), so that the document names the release it describes. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(publicDir(), '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Cloudstash')
    .setDescription('Multi-user file and sound storage. Any one of the four credentials below authenticates a request.')
    .setVersion(packageVersion())
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, SECURITY_SCHEMES.bearer)
    .addBasicAuth({ type: 'http', scheme: 'basic', description: 'account password or app password (WebDAV, tus, rclone, curl -u)' }, SECURITY_SCHEMES.basic)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Session', description: 'S0 clients' }, SECURITY_SCHEMES.xSession)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'token', description: 'S2 clients' }, SECURITY_SCHEMES.token)
    .addCookieAuth(SECURITY_SCHEMES.cookie, { type: 'apiKey', in: 'cookie', name: SECURITY_SCHEMES.cookie, description: 'set by the login routes' }, SECURITY_SCHEMES.cookie)
    .build();
  // Controller method names are unique across the app, so they serve as operation ids.
  return SwaggerModule.createDocument(app, config, { operationIdFactory: (_controller, method) => method });
}

/** Objects with their keys sorted, recursively; arrays keep their order (it means something). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

/** The document as committed in `openapi.json`: sorted keys, so that diffs show only real changes. */
export function openApiJson(document: OpenAPIObject): string {
  return `${JSON.stringify(sortKeys(sortParameters(document)), null, 2)}\n`;
}

/**
 * Parameters in one order (path, then query, then headers; by name within each): the Swagger CLI
 * plugin (in the build) and plain decorators (under ts-jest) list them in different orders.
 */
function sortParameters(document: OpenAPIObject): OpenAPIObject {
  const rank: Record<string, number> = { path: 0, query: 1, header: 2, cookie: 3 };
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as { parameters?: { in: string; name: string }[] }[]) {
      operation.parameters?.sort((a, b) => (rank[a.in] ?? 9) - (rank[b.in] ?? 9) || a.name.localeCompare(b.name));
    }
  }
  return document;
}

/** Swagger UI at /docs, the JSON at /docs-json. */
export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}
