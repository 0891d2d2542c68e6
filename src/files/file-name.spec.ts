import { BadRequestException } from '@nestjs/common';
import { assertValidFileName, isValidFileName } from './file-name';
import { storedContentType } from './content-type';

describe('file names', () => {
  it.each(['a', 'report 2024.pdf', 'Ünïcødé 文件.txt', '.hidden', '...', 'a..b', "it's (1) & [2].txt", 'é'.repeat(127) + 'x', '😀.png'])('accepts %j', (name) => {
    expect(isValidFileName(name)).toBe(true);
  });

  it.each(['', '.', '..', 'a/b', 'a\\b', 'a\u0000b', 'a\nb', 'a\u007fb', 'a\u0085b', 'é'.repeat(128), '\ud800x', 'x\udc00'])('refuses %j', (name) => {
    expect(isValidFileName(name)).toBe(false);
  });

  it('throws 400 {error} for a bad name', () => {
    expect(() => assertValidFileName('..')).toThrow(BadRequestException);
    try {
      assertValidFileName('a/b');
    } catch (error) {
      expect((error as BadRequestException).getResponse()).toEqual({ error: expect.any(String) });
    }
  });
});

describe('storedContentType', () => {
  it('keeps a well-formed media type as declared, whatever the name', () => {
    expect(storedContentType('text/plain; charset=utf-8', 'a.bin')).toBe('text/plain; charset=utf-8');
    expect(storedContentType('image/svg+xml', 'a.txt')).toBe('image/svg+xml');
  });

  it.each([undefined, '', 'nonsense', 'application/octet-stream', 'text/html\r\nX-Evil: 1', `text/${'a'.repeat(300)}`])('takes the type from the name instead of %j', (declared) => {
    expect(storedContentType(declared, 'photo.JPG')).toBe('image/jpeg');
    expect(storedContentType(declared, 'notes.md')).toBe('text/markdown');
    expect(storedContentType(declared, 'no-extension')).toBe('application/octet-stream');
    expect(storedContentType(declared, 'archive.unknownext')).toBe('application/octet-stream');
  });
});
