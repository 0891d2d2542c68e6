/** The JSON body of every error answer: at least a string member `error` (CONTRACT §1). */
export interface ErrorBody {
  error?: string;
  message?: string;
  [member: string]: unknown;
}

export const NOT_FOUND = 'Not Found';
export const METHOD_NOT_ALLOWED = 'Method not allowed for this endpoint';
export const MALFORMED_JSON = 'Malformed JSON';
export const BODY_NOT_UTF8 = 'Malformed JSON: the body is not valid UTF-8';
export const JSON_TOO_LARGE = 'JSON body is larger than 1 MiB';
export const JSON_TOO_DEEP = 'Malformed JSON: nested deeper than 64 levels';
