/** The JSON body of every error answer: at least a string member `error` (CONTRACT §1). */
export interface ErrorBody {
  error?: string;
  message?: string;
  [member: string]: unknown;
}

export const NOT_FOUND = 'Not Found';
export const METHOD_NOT_ALLOWED = 'Method not allowed for this endpoint';
export const MALFORMED_JSON = 'Request body is not valid JSON';
export const JSON_TOO_LARGE = 'JSON body is larger than 1 MiB';
