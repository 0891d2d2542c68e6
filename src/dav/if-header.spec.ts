import { BadRequestException } from '@nestjs/common';
import { parseIfHeader, submittedTokens } from './if-header';

describe('parseIfHeader (RFC 4918 §10.4)', () => {
  it('reads untagged and tagged lists of tokens and ETags, with Not', () => {
    expect(parseIfHeader('(<urn:uuid:a> ["e1"]) (Not <DAV:no-lock>)')).toEqual([
      { resource: null, conditions: [{ not: false, token: 'urn:uuid:a' }, { not: false, etag: '"e1"' }] },
      { resource: null, conditions: [{ not: true, token: 'DAV:no-lock' }] },
    ]);
    expect(parseIfHeader('<http://h/dav/x> (<urn:uuid:b>) <http://h/dav/y> (["e2"])')).toEqual([
      { resource: 'http://h/dav/x', conditions: [{ not: false, token: 'urn:uuid:b' }] },
      { resource: 'http://h/dav/y', conditions: [{ not: false, etag: '"e2"' }] },
    ]);
  });

  it('refuses malformed headers with 400', () => {
    for (const header of ['', '()', 'urn:uuid:a', '(<urn:uuid:a>', '(x)', '<http://h/dav/x>']) {
      expect(() => parseIfHeader(header)).toThrow(BadRequestException);
    }
  });

  it('drops a last list cut off at the end (a client that truncates long headers), never a complete one', () => {
    const lists = parseIfHeader('(<urn:uuid:a> ["e1"]) (Not <DAV:no-lock> ["e1');
    expect(lists).toEqual([{ resource: null, conditions: [{ not: false, token: 'urn:uuid:a' }, { not: false, etag: '"e1"' }] }]);
    // The tokens of the dropped list are not submitted.
    expect(submittedTokens(parseIfHeader('(<urn:uuid:a>) (<urn:uuid:b'))).toEqual(new Set(['urn:uuid:a']));
  });
});
