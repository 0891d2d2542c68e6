import { BadRequestException, HttpException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import { toHttpException } from './json-body.middleware';

function parserError(type: string, status: number, message = 'boom'): Error & { type: string; status: number } {
  return Object.assign(new Error(message), { type, status });
}

describe('toHttpException', () => {
  it.each([
    ['entity.too.large', 413, PayloadTooLargeException, /1 MiB/],
    ['entity.parse.failed', 400, BadRequestException, /^Malformed JSON: boom$/],
    ['entity.not.utf8', 400, BadRequestException, /UTF-8/],
    ['charset.unsupported', 415, BadRequestException, /UTF-8/],
    ['encoding.unsupported', 415, UnsupportedMediaTypeException, /Content-Encoding/],
    ['request.aborted', 400, BadRequestException, /request body/],
  ])('turns body-parser %s into the contract body', (type, status, expected, message) => {
    const mapped = toHttpException(parserError(type, status));
    expect(mapped).toBeInstanceOf(expected);
    expect((mapped as HttpException).getResponse()).toEqual({ error: expect.stringMatching(message) });
  });

  it("leaves body-parser's own 5xx errors as they are, to surface as server errors", () => {
    const error = parserError('stream.not.readable', 500);
    expect(toHttpException(error)).toBe(error);
  });
});
