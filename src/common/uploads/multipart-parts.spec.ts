import { BadRequestException } from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { MultipartParts } from './multipart-parts';

const BOUNDARY = 'spec-boundary';
const OPTIONS = { fileField: 'file', notMultipart: 'send multipart', maxFields: 2, maxFieldBytes: 16 };

function filePart(field: string, filename: string | undefined, body: string): string {
  const name = filename === undefined ? '' : `; filename="${filename}"`;
  return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"${name}\r\nContent-Type: text/plain\r\n\r\n${body}\r\n`;
}

function field(name: string, value: string): string {
  return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
}

/** A request whose body is `chunks`; `close` ends the body with the closing boundary. */
function request(chunks: string[], close = true, contentType = `multipart/form-data; boundary=${BOUNDARY}`): IncomingMessage {
  const req = new PassThrough() as unknown as IncomingMessage & PassThrough;
  Object.assign(req, { headers: { 'content-type': contentType }, complete: false });
  req.end([...chunks, close ? `--${BOUNDARY}--\r\n` : ''].join(''));
  req.on('end', () => Object.assign(req, { complete: true }));
  return req;
}

async function collect(parts: MultipartParts): Promise<[string, string][]> {
  const files: [string, string][] = [];
  for await (const part of parts) files.push([part.filename, await text(part.stream)]);
  return files;
}

describe('MultipartParts', () => {
  it('yields the named file parts in order, skips the others, and keeps the fields, also one after the files', async () => {
    const parts = new MultipartParts(
      request([field('title', 'before'), filePart('file', 'a.txt', 'first'), filePart('other', 'x.txt', 'skipped'), filePart('file', 'b.txt', 'second'), field('late', 'after')]),
      OPTIONS,
    );
    expect(await collect(parts)).toEqual([
      ['a.txt', 'first'],
      ['b.txt', 'second'],
    ]);
    expect(Object.fromEntries(parts.fields)).toEqual({ title: 'before', late: 'after' });
  });

  it("refuses a body that is not multipart/form-data with the caller's message", () => {
    expect(() => new MultipartParts(request(['{}'], false, 'application/json'), OPTIONS)).toThrow(new BadRequestException({ error: 'send multipart' }));
    expect(() => new MultipartParts(request(['a=b'], false, 'application/x-www-form-urlencoded'), OPTIONS)).toThrow(BadRequestException);
  });

  it('fails on a field over its limit or too many fields, with a 400 that says so', async () => {
    const long = new MultipartParts(request([field('title', 'x'.repeat(17)), filePart('file', 'a.txt', 'bytes')]), OPTIONS);
    await expect(collect(long)).rejects.toThrow(BadRequestException);
    expect(long.malformation?.getResponse()).toEqual({ error: expect.stringContaining('"title"') });
    const many = new MultipartParts(request([field('a', '1'), field('b', '2'), field('c', '3')]), OPTIONS);
    await expect(collect(many)).rejects.toThrow(BadRequestException);
    expect(many.malformation?.getResponse()).toEqual({ error: expect.stringContaining('too many fields') });
  });

  it('reports a body cut before its closing boundary as malformed', async () => {
    const parts = new MultipartParts(request([`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="cut.txt"\r\n\r\nhalf`], false), OPTIONS);
    await expect(collect(parts)).rejects.toThrow();
    expect(parts.malformation).toBeInstanceOf(BadRequestException);
  });
});
