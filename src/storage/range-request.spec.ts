import { planResponse, Representation } from './range-request';

describe('planResponse', () => {
  const rep: Representation = { size: 100, etag: '"abc"', lastModified: new Date('2026-01-02T03:04:05.678Z') };
  const lastModified = rep.lastModified.toUTCString();

  it('serves the whole representation without conditions', () => {
    expect(planResponse({}, rep)).toEqual({ status: 200 });
  });

  it.each([
    ['bytes=0-9', { start: 0, end: 9 }],
    ['bytes=90-', { start: 90, end: 99 }],
    ['bytes=-10', { start: 90, end: 99 }],
    ['bytes=-1000', { start: 0, end: 99 }],
    ['bytes=95-1000', { start: 95, end: 99 }],
    ['BYTES = 1 - 2', { start: 1, end: 2 }],
  ])('answers %s with 206 %j', (range, expected) => {
    expect(planResponse({ range }, rep)).toEqual({ status: 206, range: expected });
  });

  it.each(['bytes=100-', 'bytes=100-200', 'bytes=-0'])('answers the unsatisfiable %s with 416', (range) => {
    expect(planResponse({ range }, rep)).toEqual({ status: 416 });
  });

  it('finds every range unsatisfiable on an empty file', () => {
    expect(planResponse({ range: 'bytes=0-' }, { ...rep, size: 0 })).toEqual({ status: 416 });
  });

  it.each(['items=0-1', 'bytes=5-1', 'bytes=0-1,5-6', 'bytes=-', 'bytes=abc', ''])('ignores the malformed or multiple range %s', (range) => {
    expect(planResponse({ range }, rep)).toEqual({ status: 200 });
  });

  it('answers If-None-Match with the ETag (weakly compared, in a list, or *) with 304', () => {
    expect(planResponse({ ifNoneMatch: '"abc"' }, rep)).toEqual({ status: 304 });
    expect(planResponse({ ifNoneMatch: 'W/"abc"' }, rep)).toEqual({ status: 304 });
    expect(planResponse({ ifNoneMatch: '"x", "abc"' }, rep)).toEqual({ status: 304 });
    expect(planResponse({ ifNoneMatch: '*' }, rep)).toEqual({ status: 304 });
    expect(planResponse({ ifNoneMatch: '"other"', range: 'bytes=0-0' }, rep)).toEqual({ status: 206, range: { start: 0, end: 0 } });
  });

  it('uses If-Modified-Since only without If-None-Match', () => {
    expect(planResponse({ ifModifiedSince: lastModified }, rep)).toEqual({ status: 304 });
    expect(planResponse({ ifModifiedSince: new Date('2025-01-01').toUTCString() }, rep)).toEqual({ status: 200 });
    expect(planResponse({ ifNoneMatch: '"other"', ifModifiedSince: lastModified }, rep)).toEqual({ status: 200 });
    expect(planResponse({ ifModifiedSince: 'not a date' }, rep)).toEqual({ status: 200 });
  });

  it('honours If-Range with a strong ETag or the exact Last-Modified date, else serves everything', () => {
    expect(planResponse({ range: 'bytes=0-0', ifRange: '"abc"' }, rep)).toEqual({ status: 206, range: { start: 0, end: 0 } });
    expect(planResponse({ range: 'bytes=0-0', ifRange: 'W/"abc"' }, rep)).toEqual({ status: 200 });
    expect(planResponse({ range: 'bytes=0-0', ifRange: '"old"' }, rep)).toEqual({ status: 200 });
    expect(planResponse({ range: 'bytes=0-0', ifRange: lastModified }, rep)).toEqual({ status: 206, range: { start: 0, end: 0 } });
    expect(planResponse({ range: 'bytes=0-0', ifRange: new Date('2025-01-01').toUTCString() }, rep)).toEqual({ status: 200 });
    // A later date is not the representation's date: If-Range compares exactly (RFC 9110 §13.1.5).
    expect(planResponse({ range: 'bytes=0-0', ifRange: new Date('2027-01-01').toUTCString() }, rep)).toEqual({ status: 200 });
    expect(planResponse({ range: 'bytes=0-0', ifRange: 'not a date' }, rep)).toEqual({ status: 200 });
  });

  it('checks If-Range before the range, so a changed representation is served whole even for an unsatisfiable range', () => {
    expect(planResponse({ range: 'bytes=500-', ifRange: '"old"' }, rep)).toEqual({ status: 200 });
    expect(planResponse({ range: 'bytes=500-', ifRange: '"abc"' }, rep)).toEqual({ status: 416 });
  });
});
