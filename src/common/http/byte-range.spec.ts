import { ifRangeAllows, planRange, rangeHeaders } from './byte-range';

describe('planRange', () => {
  it('serves the whole body without a Range, or with one that does not parse', () => {
    expect(planRange(undefined, 100)).toEqual({ status: 200 });
    expect(planRange('items=0-5', 100)).toEqual({ status: 200 });
    expect(planRange('bytes=abc', 100)).toEqual({ status: 200 });
    expect(planRange('bytes=-', 100)).toEqual({ status: 200 });
    expect(planRange('bytes=5-2', 100)).toEqual({ status: 200 });
    // Several ranges: the whole body is a valid answer (RFC 9110 §14.2).
    expect(planRange('bytes=0-1,5-6', 100)).toEqual({ status: 200 });
  });

  it('plans closed, open-ended and suffix ranges, clamped to the end', () => {
    expect(planRange('bytes=0-9', 100)).toEqual({ status: 206, range: { start: 0, end: 9 } });
    expect(planRange('bytes=90-', 100)).toEqual({ status: 206, range: { start: 90, end: 99 } });
    expect(planRange('bytes=90-500', 100)).toEqual({ status: 206, range: { start: 90, end: 99 } });
    expect(planRange('bytes=-10', 100)).toEqual({ status: 206, range: { start: 90, end: 99 } });
    expect(planRange('bytes=-500', 100)).toEqual({ status: 206, range: { start: 0, end: 99 } });
  });

  it('answers 416 for a start past the end, an empty suffix, or any range of an empty body', () => {
    expect(planRange('bytes=100-', 100)).toEqual({ status: 416 });
    expect(planRange('bytes=-0', 100)).toEqual({ status: 416 });
    expect(planRange('bytes=0-', 0)).toEqual({ status: 416 });
  });
});

describe('rangeHeaders', () => {
  it('describes each answer', () => {
    expect(rangeHeaders({ status: 200 }, 100)).toEqual({ 'Accept-Ranges': 'bytes', 'Content-Length': '100' });
    expect(rangeHeaders({ status: 206, range: { start: 10, end: 19 } }, 100)).toEqual({
      'Accept-Ranges': 'bytes',
      'Content-Length': '10',
      'Content-Range': 'bytes 10-19/100',
    });
    expect(rangeHeaders({ status: 416 }, 100)).toEqual({ 'Accept-Ranges': 'bytes', 'Content-Range': 'bytes */100' });
  });
});

describe('ifRangeAllows', () => {
  const modified = new Date('2026-01-02T03:04:05Z');
  it('applies the range only when the ETag or date still matches', () => {
    expect(ifRangeAllows({}, '"abc"', modified)).toBe(true);
    expect(ifRangeAllows({ 'if-range': '"abc"' }, '"abc"', modified)).toBe(true);
    expect(ifRangeAllows({ 'if-range': '"old"' }, '"abc"', modified)).toBe(false);
    expect(ifRangeAllows({ 'if-range': modified.toUTCString() }, '"abc"', modified)).toBe(true);
    expect(ifRangeAllows({ 'if-range': new Date('2025-01-01').toUTCString() }, '"abc"', modified)).toBe(false);
  });
});
